// Server-side verification of AWS Signature Version 4 for S3: the
// Authorization header form and presigned URLs.
//
// verify_request() takes a parsed request head and decides, before any body
// byte is read, whether the request is authentic. It never reads the body:
// the result tells the caller how the body must be checked as it streams
// (payload_mode): against payload_sha256, through a ChunkedPayloadDecoder
// (aws-chunked forms), or not at all (UNSIGNED-PAYLOAD).
//
// The HTTP layer knows nothing of this; the S3 layer calls it per request with
// the current time (a parameter, so tests control it) and a lookup from access
// key id to secret key. Requests without any credentials are refused with
// AccessDenied: a caller that serves anonymous requests (public buckets)
// checks auth_method() == AuthMethod::anonymous first and skips verification.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/auth/amz_date.hpp"
#include "core/auth/errors.hpp"
#include "core/auth/payload_mode.hpp"
#include "core/auth/signing_key.hpp"
#include "core/auth/signing_key_cache.hpp"
#include "core/auth/streaming_signature.hpp"
#include "core/hash/sha256.hpp"
#include "core/http/request.hpp"

namespace shoal::auth {

// The secret key of an access key id, or nullopt if there is no such key.
using SecretKeyLookup = std::function<std::optional<std::string>(std::string_view access_key)>;

struct VerifierOptions {
    std::string region = "us-east-1";  // the scope's region must equal it; empty accepts any region
    std::string service = "s3";
    std::chrono::seconds max_skew = std::chrono::minutes(15);  // |request time - now|
    SigningKeyCache* key_cache = nullptr;  // keys derived before, if the caller keeps them
};

enum class AuthMethod {
    anonymous,    // no credentials at all
    header,       // Authorization header
    presigned,    // X-Amz-* query parameters
    unsupported,  // something else that tries to authenticate (signature V2 URL)
};

AuthMethod auth_method(const http::Request& request);

struct Authenticated {
    std::string access_key;
    AuthMethod method = AuthMethod::header;
    CredentialScope scope;
    Timestamp request_time;
    PayloadMode payload_mode = PayloadMode::unsigned_payload;
    std::optional<hash::Sha256::Digest> payload_sha256;  // payload_mode == sha256: the body must hash to it
    std::uint64_t decoded_content_length = 0;            // streaming modes: x-amz-decoded-content-length
    std::vector<std::string> trailer_names;              // trailer modes: x-amz-trailer, lowercased
    StreamingContext streaming;  // signing key, date, scope; seed_signature = the request's signature
};

using AuthResult = std::variant<Authenticated, Error>;

AuthResult verify_request(const http::Request& request, const SecretKeyLookup& secret_for,
                          std::chrono::system_clock::time_point now, const VerifierOptions& options = {});

// For payload_mode == sha256, once the whole body is read: XAmzContentSHA256Mismatch
// if its digest is not the declared one. nullopt for the other modes.
std::optional<Error> check_payload_sha256(const Authenticated& auth, const hash::Sha256::Digest& body_sha256);

}  // namespace shoal::auth
