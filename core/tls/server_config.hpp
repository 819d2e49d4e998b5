// The TLS settings every server connection starts from: TLS 1.2 only, ECDHE
// key exchange with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305), no
// renegotiation, no client certificates, one certificate and key.
//
// Immutable once built. A certificate reload builds a new one; connections
// keep the one they started with (by shared_ptr) until they close.
#pragma once

#include <memory>

#include <mbedtls/ssl.h>

#include "core/tls/certified_key.hpp"
#include "core/tls/random.hpp"

namespace shoal::tls {

class ServerConfig {
public:
    // Throws TlsError.
    ServerConfig(std::shared_ptr<const CertifiedKey> credentials, std::shared_ptr<Random> random);
    ~ServerConfig();

    ServerConfig(const ServerConfig&) = delete;
    ServerConfig& operator=(const ServerConfig&) = delete;

    const mbedtls_ssl_config* get() const { return &config_; }
    const CertifiedKey& credentials() const { return *credentials_; }

private:
    // Referenced by config_: they must outlive it.
    std::shared_ptr<const CertifiedKey> credentials_;
    std::shared_ptr<Random> random_;
    mbedtls_ssl_config config_;
};

}  // namespace shoal::tls
