// A certificate chain and its private key, parsed from PEM (or DER) text and
// checked to belong together. Not copyable or movable: mbedTLS contexts stay
// where they were initialised; share it by shared_ptr.
#pragma once

#include <string>
#include <string_view>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

namespace shoal::tls {

class CertifiedKey {
public:
    // `chain_text`: the server certificate first, then any intermediates.
    // Throws TlsError naming `source` when either does not parse or they do
    // not match.
    CertifiedKey(std::string_view chain_text, std::string_view key_text, const std::string& source);
    ~CertifiedKey();

    CertifiedKey(const CertifiedKey&) = delete;
    CertifiedKey& operator=(const CertifiedKey&) = delete;

    // SHA-256 of the server certificate's DER, "AB:CD:..." (as openssl x509 -fingerprint -sha256 prints it).
    std::string fingerprint() const;
    std::string subject() const;
    std::string not_after() const;  // "2036-12-07 03:08:09" (UTC)

    // For mbedtls_ssl_conf_own_cert, which takes non-const pointers but only reads.
    mbedtls_x509_crt* chain() const { return &chain_; }
    mbedtls_pk_context* key() const { return &key_; }

private:
    mutable mbedtls_x509_crt chain_;
    mutable mbedtls_pk_context key_;
};

}  // namespace shoal::tls
