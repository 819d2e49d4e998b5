// Byte ranges as S3 reads them: the Range header of GetObject / HeadObject
// ("bytes=first-last", "bytes=first-", "bytes=-suffix") and the stricter
// x-amz-copy-source-range of UploadPartCopy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::s3 {

struct ByteRange {
    std::uint64_t first;
    std::uint64_t length;  // first + length <= the object's size; at least 1 from the parsers below
};

// A Range header against an object of `size` bytes. nullopt: serve the whole
// object (no header, or one S3 ignores: several ranges, bad syntax, last <
// first). Throws S3Error InvalidRange (416) when unsatisfiable.
std::optional<ByteRange> parse_range(const std::string* header, std::uint64_t size);

// The x-amz-copy-source-range header of UploadPartCopy against a source of
// `size` bytes: exactly "bytes=first-last" with first <= last (S3 takes no
// other form). Throws S3Error InvalidArgument for any other syntax and
// InvalidRange (416) when last lies beyond the source.
ByteRange parse_copy_range(std::string_view header, std::uint64_t size);

}  // namespace shoal::s3
