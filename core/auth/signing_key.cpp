#include "core/auth/signing_key.hpp"

#include <mbedtls/platform_util.h>

#include "core/hash/encoding.hpp"
#include "core/hash/hmac_sha256.hpp"

namespace shoal::auth {

std::string CredentialScope::to_string() const {
    std::string out;
    out.reserve(date.size() + region.size() + service.size() + kScopeTerminator.size() + 3);
    out.append(date).append("/").append(region).append("/").append(service).append("/").append(kScopeTerminator);
    return out;
}

SigningKey derive_signing_key(std::string_view secret_key, const CredentialScope& scope) {
    std::string seed = "AWS4";
    seed.append(secret_key);
    SigningKey key = hash::hmac_sha256(seed, scope.date);
    mbedtls_platform_zeroize(seed.data(), seed.size());
    key = hash::hmac_sha256(key, scope.region);
    key = hash::hmac_sha256(key, scope.service);
    key = hash::hmac_sha256(key, kScopeTerminator);
    return key;
}

std::string sign(const SigningKey& key, std::string_view string_to_sign) {
    return hash::hex_encode(hash::hmac_sha256(key, string_to_sign));
}

bool signatures_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace shoal::auth
