// The x-amz-copy-source header of CopyObject and UploadPartCopy:
//
//   [/]bucket/key[?versionId=id]      bucket and key URL-encoded
//
// The path is percent-decoded as a URL path ('+' stays '+'); the query is
// split at the first '?' and read as a URL query, where only versionId is
// known. Access-point ARNs are not supported.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shoal::s3 {

struct CopySource {
    std::string bucket;
    std::string key;
    std::optional<std::string> version_id;  // "null" or an id this store issued (format unchecked here)
};

// Throws S3Error InvalidArgument for a header that names no bucket and key,
// holds a malformed escape or an unknown parameter, or names a key that is
// not a valid object key; InvalidBucketName for a bad bucket name.
CopySource parse_copy_source(std::string_view header);

}  // namespace shoal::s3
