// The canonical request and string to sign of AWS Signature Version 4, with
// the rules of S3.
//
// - URI: the path as sent, not normalised ("//" and "." segments stay) and not
//   double-encoded (S3 differs from other services there). Its escapes are
//   made canonical so that a client that escaped more or less than needed
//   still matches: %XX of an unreserved character becomes the character, any
//   other byte becomes %XX with uppercase hex, and an escaped %2F stays %2F.
// - Query: parameters percent-decoded ('+' is a space), re-encoded with
//   uri_encode(), sorted by encoded name then encoded value, "name=value"
//   joined by '&' (a parameter without '=' has an empty value).
// - Headers: "name:value\n" for each signed name in the order given; names
//   lowercase, values trimmed with inner whitespace runs collapsed to one
//   space, repeated headers joined by ','.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.hpp"

namespace shoal::auth {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct QueryParam {
    std::string name;   // decoded
    std::string value;  // decoded
};

// Splits a raw query ("a=1&b=%2F") into decoded parameters, in order.
std::vector<QueryParam> parse_query(std::string_view raw_query);

std::string canonical_uri(std::string_view raw_path);

// `exclude` names one parameter left out (X-Amz-Signature for presigned URLs).
std::string canonical_query_string(const std::vector<QueryParam>& params, std::string_view exclude = {});

std::string canonical_header_value(std::string_view value);

// The canonical headers block for `signed_names` (lowercase). A signed name
// absent from `headers` contributes "name:\n"; callers that must reject that
// check presence first.
std::string canonical_headers(const std::vector<http::Header>& headers, const std::vector<std::string>& signed_names);

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>"
std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

}  // namespace shoal::auth
