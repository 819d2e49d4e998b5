#include "core/tls/random.hpp"

#include "core/tls/tls_error.hpp"

namespace shoal::tls {

Random::Random() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    static constexpr unsigned char kPersonalisation[] = "shoald tls";
    const int status = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, kPersonalisation,
                                             sizeof kPersonalisation - 1);
    if (status != 0) {
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
        check(status, "cannot seed the random generator");
    }
}

Random::~Random() {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
}

int Random::generate(void* self, unsigned char* out, std::size_t size) {
    auto& random = *static_cast<Random*>(self);
    const std::lock_guard lock(random.mutex_);
    return mbedtls_ctr_drbg_random(&random.drbg_, out, size);
}

}  // namespace shoal::tls
