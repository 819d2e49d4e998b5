#include "core/tls/tls_error.hpp"

#include <array>
#include <cstdio>

#include <mbedtls/error.h>

namespace shoal::tls {

std::string mbedtls_error_text(int status) {
    std::array<char, 160> text{};
    mbedtls_strerror(status, text.data(), text.size());
    std::array<char, 16> code{};
    std::snprintf(code.data(), code.size(), "-0x%04x", static_cast<unsigned>(-status));
    return std::string(text.data()) + " (" + code.data() + ")";
}

void check(int status, const std::string& what) {
    if (status != 0) throw TlsError(what + ": " + mbedtls_error_text(status));
}

}  // namespace shoal::tls
