// Why a request failed authentication: an S3 error code, the HTTP status S3
// answers it with, and a message for the client.
//
// Errors are values: the verifier and the chunk decoder return them, never
// throw them. `detail` is for the server log only (on a signature mismatch it
// holds the canonical request and the string to sign); it must never be sent
// to the client, who would learn what the server expected.
#pragma once

#include <string>
#include <string_view>

namespace shoal::auth {

enum class ErrorCode {
    access_denied,                         // 403, also anonymous and expired presigned requests
    signature_does_not_match,              // 403
    invalid_access_key_id,                 // 403
    request_time_too_skewed,               // 403
    authorization_header_malformed,        // 400
    authorization_query_parameters_error,  // 400
    missing_security_header,               // 400
    invalid_request,                       // 400, unsupported mechanisms
    invalid_argument,                      // 400
    x_amz_content_sha256_mismatch,         // 400
    incomplete_body,                       // 400, malformed or short aws-chunked bodies
    missing_content_length,                // 411
};

// The S3 code as it appears in <Error><Code>, e.g. "SignatureDoesNotMatch".
std::string_view code_name(ErrorCode code);
int http_status(ErrorCode code);

struct Error {
    ErrorCode code;
    std::string message;  // for the client
    std::string detail;   // for the log only

    std::string_view code_name() const { return auth::code_name(code); }
    int http_status() const { return auth::http_status(code); }
};

}  // namespace shoal::auth
