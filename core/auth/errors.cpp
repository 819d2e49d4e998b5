#include "core/auth/errors.hpp"

namespace shoal::auth {

std::string_view code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::access_denied: return "AccessDenied";
        case ErrorCode::signature_does_not_match: return "SignatureDoesNotMatch";
        case ErrorCode::invalid_access_key_id: return "InvalidAccessKeyId";
        case ErrorCode::request_time_too_skewed: return "RequestTimeTooSkewed";
        case ErrorCode::authorization_header_malformed: return "AuthorizationHeaderMalformed";
        case ErrorCode::authorization_query_parameters_error: return "AuthorizationQueryParametersError";
        case ErrorCode::missing_security_header: return "MissingSecurityHeader";
        case ErrorCode::invalid_request: return "InvalidRequest";
        case ErrorCode::invalid_argument: return "InvalidArgument";
        case ErrorCode::x_amz_content_sha256_mismatch: return "XAmzContentSHA256Mismatch";
        case ErrorCode::incomplete_body: return "IncompleteBody";
        case ErrorCode::missing_content_length: return "MissingContentLength";
    }
    return "InternalError";
}

int http_status(ErrorCode code) {
    switch (code) {
        case ErrorCode::access_denied:
        case ErrorCode::signature_does_not_match:
        case ErrorCode::invalid_access_key_id:
        case ErrorCode::request_time_too_skewed:
            return 403;
        case ErrorCode::missing_content_length:
            return 411;
        case ErrorCode::authorization_header_malformed:
        case ErrorCode::authorization_query_parameters_error:
        case ErrorCode::missing_security_header:
        case ErrorCode::invalid_request:
        case ErrorCode::invalid_argument:
        case ErrorCode::x_amz_content_sha256_mismatch:
        case ErrorCode::incomplete_body:
            return 400;
    }
    return 500;
}

}  // namespace shoal::auth
