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

// The four precondition headers of a request, null when absent: If-Match,
// If-None-Match, If-Modified-Since, If-Unmodified-Since (GET, HEAD), or their
// x-amz-copy-source-if-* forms (CopyObject, UploadPartCopy).
struct Preconditions {
    const std::string* if_match = nullptr;
    const std::string* if_none_match = nullptr;
    const std::string* if_modified_since = nullptr;
    const std::string* if_unmodified_since = nullptr;
};
using CopySourceConditions = Preconditions;

enum class PreconditionOutcome {
    proceed,
    failed,        // If-Match / If-Unmodified-Since: 412 PreconditionFailed
    not_modified,  // If-None-Match / If-Modified-Since: 304 on GET and HEAD
};

// How preconditions decide for an object with `etag`, last modified at
// `modified_ms`, with S3's combination rules (RFC 9110 13.2.2 order): a
// matching If-Match overrides a failing If-Unmodified-Since; If-None-Match,
// when present, decides alone, else If-Modified-Since does. Dates that do not
// parse are ignored; times compare in whole seconds (HTTP dates have no finer
// ones).
PreconditionOutcome evaluate_preconditions(const Preconditions& conditions, std::string_view etag,
                                           std::uint64_t modified_ms);

// True when a copy may go ahead: for a copy source, "not modified" fails too
// (412), as S3 answers it.
bool copy_source_conditions_hold(const CopySourceConditions& conditions, std::string_view etag,
                                 std::uint64_t modified_ms);

}  // namespace shoal::s3
