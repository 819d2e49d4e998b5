// Preconditions on an object's ETag and modification time, as S3 reads
// them: If-Match / If-None-Match ETag lists and HTTP dates, and the
// x-amz-copy-source-if-* headers of CopyObject and UploadPartCopy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::s3 {

// ETag comparison as S3 does it: a comma-separated list, quotes and "W/"
// optional, "*" matches anything.
bool etag_matches(std::string_view header, std::string_view etag);

// An HTTP date (IMF-fixdate, as clients send it) in unix milliseconds;
// nullopt when it does not parse (S3 then ignores the condition).
std::optional<std::uint64_t> parse_http_date(std::string_view text);

// The four x-amz-copy-source-if-* headers of a request (null when absent).
struct CopySourceConditions {
    const std::string* if_match = nullptr;
    const std::string* if_none_match = nullptr;
    const std::string* if_modified_since = nullptr;
    const std::string* if_unmodified_since = nullptr;
};

// True when a copy from a source with `etag`, last modified at
// `modified_ms`, may go ahead; false means 412 PreconditionFailed. S3's
// combination rules: a matching if-match overrides a failing
// if-unmodified-since; a failing if-none-match fails even when
// if-modified-since holds, and a holding one overrides a failing
// if-modified-since. Dates that do not parse are ignored; times compare in
// whole seconds (HTTP dates have no finer ones).
bool copy_source_conditions_hold(const CopySourceConditions& conditions, std::string_view etag,
                                 std::uint64_t modified_ms);

}  // namespace shoal::s3
