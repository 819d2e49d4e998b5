// A cryptographic random generator: mbedTLS' CTR_DRBG seeded from the
// system's entropy. TLS handshakes (on every event loop) and key generation
// draw from it, so calls are serialised by a mutex.
#pragma once

#include <cstddef>
#include <mutex>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

namespace shoal::tls {

class Random {
public:
    Random();  // throws TlsError when the entropy source fails
    ~Random();

    Random(const Random&) = delete;
    Random& operator=(const Random&) = delete;

    // mbedTLS' f_rng signature; `self` is a Random*.
    static int generate(void* self, unsigned char* out, std::size_t size);

private:
    std::mutex mutex_;
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
};

}  // namespace shoal::tls
