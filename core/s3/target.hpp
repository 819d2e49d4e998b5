// Which bucket, key and sub-resources a request addresses.
//
// Path style:            /bucket/key?query
// Virtual-hosted style:  Host: bucket.<domain>, path /key?query   (when the
//                        Host header ends with one of the configured domains,
//                        compared case-insensitively; the bucket is as sent)
// The key is percent-decoded; it is never used as a file path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http/request.hpp"

namespace shoal::s3 {

struct Target {
    std::string bucket;  // empty: the service (ListBuckets)
    std::string key;     // empty: the bucket itself
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order (parse_query_string)

    bool has(std::string_view name) const;
    const std::string* param(std::string_view name) const;
};

// Decodes %XX escapes; '+' becomes a space when `plus_is_space`. Returns
// nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Encodes every byte but A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), as S3
// does for encoding-type=url.
std::string percent_encode(std::string_view s, bool keep_slash);

// Splits a URL query string ("a=1&b=two%20words&flag") into decoded
// name/value pairs in order: '&' separates items, the first '=' separates a
// name from its value (none: the value is ""), '+' is a space, empty items
// are skipped. Returns nullopt for a malformed %-escape. Used for request
// targets and for headers carrying the same form (x-amz-tagging).
using QueryPairs = std::vector<std::pair<std::string, std::string>>;
std::optional<QueryPairs> parse_query_string(std::string_view query);

// Throws S3Error (InvalidURI / InvalidArgument) for undecodable targets.
Target parse_target(const http::Request& request, const std::vector<std::string>& domains);

}  // namespace shoal::s3
