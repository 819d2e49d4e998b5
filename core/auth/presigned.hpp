// The query parameters of a presigned URL (query-string SigV4):
//
//   X-Amz-Algorithm=AWS4-HMAC-SHA256
//   X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request
//   X-Amz-Date=20130524T000000Z      X-Amz-Expires=86400 (seconds, at most 604800)
//   X-Amz-SignedHeaders=host         X-Amz-Signature=<64 hex digits>
//
// All six are required, each once. The signature covers the canonical query
// without X-Amz-Signature, and the payload hash "UNSIGNED-PAYLOAD".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/auth/amz_date.hpp"
#include "core/auth/authorization.hpp"
#include "core/auth/canonical_request.hpp"
#include "core/auth/errors.hpp"

namespace shoal::auth {

inline constexpr std::int64_t kMaxPresignedExpirySeconds = 604800;  // 7 days

struct PresignedParams {
    SignatureParams signature;
    std::string amz_date;  // X-Amz-Date as sent
    Timestamp time;        // X-Amz-Date parsed
    std::chrono::seconds expires{0};
};

// True if any SigV4 query-authentication parameter is present.
bool has_presigned_params(const std::vector<QueryParam>& params);

// True for the parameters of a signature-V2 presigned URL (AWSAccessKeyId, Signature).
bool has_v2_presigned_params(const std::vector<QueryParam>& params);

// Errors: AuthorizationQueryParametersError.
std::variant<PresignedParams, Error> parse_presigned_params(const std::vector<QueryParam>& params);

}  // namespace shoal::auth
