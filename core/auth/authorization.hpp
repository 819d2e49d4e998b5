// The parts of a SigV4 signature as a request carries them, in the
// Authorization header:
//
//   AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,
//   SignedHeaders=host;range;x-amz-date, Signature=<64 hex digits>
//
// (or in presigned-URL query parameters, see presigned.hpp). Parsing checks
// syntax only: the scope's region and service, the date and the signature
// itself are the verifier's business.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/auth/errors.hpp"
#include "core/auth/signing_key.hpp"

namespace shoal::auth {

struct Credential {
    std::string access_key;
    CredentialScope scope;
};

struct SignatureParams {
    Credential credential;
    std::string signed_headers;               // as sent, the canonical request's signed-headers line
    std::vector<std::string> signed_header_names;  // signed_headers split at ';'
    std::string signature;                    // 64 hex digits, lowercased
};

// "AKID/YYYYMMDD/region/service/aws4_request": five non-empty parts, a valid
// calendar date, the fixed terminator.
std::optional<Credential> parse_credential(std::string_view text);

// "host;range;x-amz-date": non-empty header-name tokens, no duplicates.
std::optional<std::vector<std::string>> parse_signed_headers(std::string_view text);

// 64 hex digits, returned lowercased.
std::optional<std::string> parse_signature(std::string_view text);

// Errors: AuthorizationHeaderMalformed, or InvalidRequest for an algorithm
// other than AWS4-HMAC-SHA256 (signature V2 "AWS ...", SigV4a).
std::variant<SignatureParams, Error> parse_authorization_header(std::string_view value);

}  // namespace shoal::auth
