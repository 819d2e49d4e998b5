// Errors of core/tls: an mbedTLS status turned into text at the boundary
// where it happened (loading a certificate, generating a key).
#pragma once

#include <stdexcept>
#include <string>

namespace shoal::tls {

class TlsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// mbedTLS' own description of a status code, e.g. "SSL - ... (-0x7780)".
std::string mbedtls_error_text(int status);

// Throws TlsError("<what>: <mbedTLS text>") unless status is 0.
void check(int status, const std::string& what);

}  // namespace shoal::tls
