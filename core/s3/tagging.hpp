// Object tags as S3 takes and gives them: the x-amz-tagging header (URL
// query form, "a=1&b=two%20words"), the Tagging XML document of
// Put/GetObjectTagging, and S3's limits on both.
//
//   <Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...</TagSet></Tagging>
//
// Limits (S3's): at most 10 tags (BadRequest, as S3 answers); keys of 1 to 128
// and values of 0 to 256 Unicode characters of valid UTF-8, keys unique
// (InvalidTag). A tag set that passes is stored as given, in order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shoal::s3 {

using TagSet = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kMaxTags = 10;
inline constexpr std::size_t kMaxTagKeyChars = 128;
inline constexpr std::size_t kMaxTagValueChars = 256;

// Throws S3Error InvalidTag or BadRequest when `tags` breaks a limit.
void check_tags(const TagSet& tags);

// The x-amz-tagging header (parsed as a URL query string). Throws S3Error
// InvalidTag for a malformed escape, or as check_tags.
TagSet parse_tagging_header(std::string_view header);

// The body of PutObjectTagging. Throws S3Error MalformedXML for a document
// that is not a Tagging with a TagSet of Tags each with one Key and one
// Value, or as check_tags.
TagSet parse_tagging_xml(std::string_view body);

// The body of GetObjectTagging.
std::string tagging_xml(const TagSet& tags);

}  // namespace shoal::s3
