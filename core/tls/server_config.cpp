#include "core/tls/server_config.hpp"

#include <mbedtls/ssl_ciphersuites.h>

#include "core/tls/tls_error.hpp"

namespace shoal::tls {
namespace {

// Forward secrecy and authenticated encryption only; the server's
// preference order (mbedTLS picks the first of these the client offers).
// ECDSA suites serve EC certificates (the generated one), RSA suites RSA ones.
constexpr int kCipherSuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

}  // namespace

ServerConfig::ServerConfig(std::shared_ptr<const CertifiedKey> credentials, std::shared_ptr<Random> random)
    : credentials_(std::move(credentials)), random_(std::move(random)) {
    mbedtls_ssl_config_init(&config_);
    try {
        check(mbedtls_ssl_config_defaults(&config_, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT),
              "tls configuration");
        mbedtls_ssl_conf_min_version(&config_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        mbedtls_ssl_conf_max_version(&config_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        mbedtls_ssl_conf_ciphersuites(&config_, kCipherSuites);
        mbedtls_ssl_conf_authmode(&config_, MBEDTLS_SSL_VERIFY_NONE);
        mbedtls_ssl_conf_renegotiation(&config_, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
        mbedtls_ssl_conf_rng(&config_, Random::generate, random_.get());
        check(mbedtls_ssl_conf_own_cert(&config_, credentials_->chain(), credentials_->key()), "tls certificate");
    } catch (...) {
        mbedtls_ssl_config_free(&config_);
        throw;
    }
}

ServerConfig::~ServerConfig() { mbedtls_ssl_config_free(&config_); }

}  // namespace shoal::tls
