// Client-side SigV4 signing (the benchmark tool, tests): an Authorization
// header for a request, or a presigned URL. It builds the canonical request
// with the same functions the verifier uses, so what it signs verifies.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/auth/amz_date.hpp"
#include "core/auth/signing_key_cache.hpp"
#include "core/auth/streaming_signature.hpp"
#include "core/http/request.hpp"

namespace shoal::auth {

struct Credentials {
    std::string access_key;
    std::string secret_key;
};

struct SigningParams {
    Credentials credentials;
    std::string region = "us-east-1";
    std::string service = "s3";
    Timestamp time;
    SigningKeyCache* key_cache = nullptr;  // keys derived before, if the caller keeps them (SDKs do)
};

// Signs `request` (method, target and headers as they will be sent) in place:
// adds x-amz-date (from params.time) and x-amz-content-sha256 (payload_hash:
// a lowercase hex SHA-256 or a payload_mode_literal()) unless present, then
// an Authorization header. Every header is signed except Authorization,
// User-Agent, Expect, Connection, Transfer-Encoding and X-Amzn-Trace-Id; a
// Host header must be present. Returns what the aws-chunked body's chunks
// must be signed with (seed_signature = the request's signature).
StreamingContext sign_request(http::Request& request, const SigningParams& params, std::string_view payload_hash);

// The request target of a presigned URL: `target` ("/bucket/key?query", as
// it will be sent) with the X-Amz-* parameters appended, signing only Host
// (`host`, as the client will send it) and an UNSIGNED-PAYLOAD.
std::string presign(std::string_view method, std::string_view target, std::string_view host,
                    const SigningParams& params, std::chrono::seconds expires);

}  // namespace shoal::auth
