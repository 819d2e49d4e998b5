// The body of CompleteMultipartUpload (POST /bucket/key?uploadId=...):
//
//   <CompleteMultipartUpload>
//     <Part><PartNumber>1</PartNumber><ETag>"..."</ETag></Part> ...
//   </CompleteMultipartUpload>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/object_store.hpp"

namespace shoal::s3 {

inline constexpr std::uint32_t kMaxParts = 10000;

// Removes one pair of surrounding double quotes, if there is one.
std::string unquote_etag(std::string etag);

// The listed parts: at least one, numbers 1 to kMaxParts in strictly ascending
// order, ETags unquoted. Throws S3Error MalformedXML or InvalidPartOrder.
std::vector<engine::CompletedPart> parse_complete_multipart_upload(std::string_view body);

}  // namespace shoal::s3
