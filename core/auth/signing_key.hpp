// The credential scope ("20130524/us-east-1/s3/aws4_request"), the signing
// key derived from a secret key for one scope, and signatures made with it.
//
//   kDate    = HMAC("AWS4" + secret, date)     kRegion  = HMAC(kDate, region)
//   kService = HMAC(kRegion, service)          key      = HMAC(kService, "aws4_request")
//   signature = lowercase hex of HMAC(key, string_to_sign)
//
// A signing key is secret material: it authenticates any request of its day,
// region and service.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::auth {

inline constexpr std::string_view kScopeTerminator = "aws4_request";

struct CredentialScope {
    std::string date;     // YYYYMMDD
    std::string region;   // e.g. "us-east-1"
    std::string service;  // "s3"

    // "date/region/service/aws4_request"
    std::string to_string() const;
};

using SigningKey = std::array<std::uint8_t, 32>;

SigningKey derive_signing_key(std::string_view secret_key, const CredentialScope& scope);

// Lowercase hex HMAC-SHA-256 of string_to_sign.
std::string sign(const SigningKey& key, std::string_view string_to_sign);

// Compares two signatures in time independent of where they differ.
bool signatures_equal(std::string_view a, std::string_view b);

}  // namespace shoal::auth
