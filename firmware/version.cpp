#include "firmware/version.hpp"

#include <lmdb.h>
#include <mbedtls/version.h>

#include <asio/version.hpp>

#include "firmware/build_info.hpp"

namespace shoal::firmware {

#define SHOAL_STRINGIFY_(x) #x
#define SHOAL_STRINGIFY(x) SHOAL_STRINGIFY_(x)

std::string_view target_arch() {
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64 (ARMv8)";
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
    return "arm (ARMv" SHOAL_STRINGIFY(__ARM_ARCH) " hard-float)";
#elif defined(__arm__)
    return "arm (soft-float)";
#else
    return "unknown";
#endif
}

std::string version_text() {
    const BuildInfo& info = build_info();
    char mbedtls[32] = {};
    mbedtls_version_get_string(mbedtls);
    std::string out;
    out += "shoald " + std::string(info.version) + "\n";
    out += "revision:   " + std::string(info.revision) + "\n";
    out += "target:     " + std::string(target_arch()) + "\n";
    out += "build type: " + std::string(info.build_type) + "\n";
    out += "compiler:   " + std::string(info.compiler) + "\n";
    int lmdb_major = 0, lmdb_minor = 0, lmdb_patch = 0;
    mdb_version(&lmdb_major, &lmdb_minor, &lmdb_patch);
    out += "libraries:  LMDB " + std::to_string(lmdb_major) + "." + std::to_string(lmdb_minor) + "." +
           std::to_string(lmdb_patch) + ", mbed TLS " +
           mbedtls + ", Asio " + std::to_string(ASIO_VERSION / 100000) + "." +
           std::to_string(ASIO_VERSION / 100 % 1000) + "." + std::to_string(ASIO_VERSION % 100) + "\n";
    return out;
}

}  // namespace shoal::firmware
