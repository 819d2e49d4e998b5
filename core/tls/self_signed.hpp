// A self-signed certificate for a server without one: a new ECDSA P-256 key,
// a certificate valid for ten years naming the given host names and IP
// addresses (SubjectAltName), in PEM. Clients trust it by using the
// certificate itself as their CA file.
#pragma once

#include <string>
#include <vector>

#include "core/tls/random.hpp"

namespace shoal::tls {

struct SelfSigned {
    std::string certificate_pem;
    std::string key_pem;  // PKCS#1/SEC1 "EC PRIVATE KEY"
};

// `ip_addresses` in text form ("127.0.0.1", "::1"); the first host name is
// also the subject's common name. Throws TlsError (also for a bad address).
SelfSigned make_self_signed(const std::vector<std::string>& host_names, const std::vector<std::string>& ip_addresses,
                            Random& random);

}  // namespace shoal::tls
