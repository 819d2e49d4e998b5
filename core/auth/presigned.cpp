#include "core/auth/presigned.hpp"

#include <charconv>

namespace shoal::auth {
namespace {

constexpr std::string_view kPresignedNames[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                                 "X-Amz-Expires",   "X-Amz-SignedHeaders", "X-Amz-Signature"};

Error query_error(std::string message) {
    return Error{ErrorCode::authorization_query_parameters_error, std::move(message), {}};
}

}  // namespace

bool has_presigned_params(const std::vector<QueryParam>& params) {
    for (const QueryParam& p : params) {
        if (p.name == "X-Amz-Algorithm" || p.name == "X-Amz-Credential" || p.name == "X-Amz-Signature") return true;
    }
    return false;
}

bool has_v2_presigned_params(const std::vector<QueryParam>& params) {
    for (const QueryParam& p : params) {
        if (p.name == "AWSAccessKeyId" || p.name == "Signature") return true;
    }
    return false;
}

std::variant<PresignedParams, Error> parse_presigned_params(const std::vector<QueryParam>& params) {
    const std::string* values[std::size(kPresignedNames)] = {};
    for (const QueryParam& p : params) {
        for (std::size_t i = 0; i < std::size(kPresignedNames); ++i) {
            if (p.name != kPresignedNames[i]) continue;
            if (values[i] != nullptr) return query_error(std::string(kPresignedNames[i]) + " is given more than once");
            values[i] = &p.value;
        }
    }
    for (std::size_t i = 0; i < std::size(kPresignedNames); ++i) {
        if (values[i] == nullptr) {
            return query_error(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; " +
                std::string(kPresignedNames[i]) + " is missing.");
        }
    }
    const std::string& algorithm = *values[0];
    const std::string& credential = *values[1];
    const std::string& date = *values[2];
    const std::string& expires = *values[3];
    const std::string& signed_headers = *values[4];
    const std::string& signature = *values[5];

    if (algorithm != kAlgorithm) return query_error("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");

    PresignedParams p;
    std::optional<Credential> c = parse_credential(credential);
    if (!c) {
        return query_error(
            "X-Amz-Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }
    p.signature.credential = std::move(*c);

    const std::optional<Timestamp> time = parse_amz_date(date);
    if (!time) return query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    p.amz_date = date;
    p.time = *time;

    std::int64_t seconds = -1;
    const auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
    if (ec != std::errc{} || end != expires.data() + expires.size() || seconds < 0) {
        return query_error("X-Amz-Expires must be a non-negative integer number of seconds");
    }
    if (seconds > kMaxPresignedExpirySeconds) {
        return query_error("X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
    p.expires = std::chrono::seconds(seconds);

    std::optional<std::vector<std::string>> names = parse_signed_headers(signed_headers);
    if (!names) return query_error("X-Amz-SignedHeaders must be a ';'-separated list of distinct header names");
    p.signature.signed_headers = signed_headers;
    p.signature.signed_header_names = std::move(*names);

    std::optional<std::string> sig = parse_signature(signature);
    if (!sig) return query_error("X-Amz-Signature must be 64 hexadecimal digits");
    p.signature.signature = std::move(*sig);
    return p;
}

}  // namespace shoal::auth
