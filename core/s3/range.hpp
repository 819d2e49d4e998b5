// The Range header of GetObject / HeadObject ("bytes=first-last",
// "bytes=first-", "bytes=-suffix"), as S3 reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shoal::s3 {

struct ByteRange {
    std::uint64_t first;
    std::uint64_t length;  // at least 1; first + length <= the object's size
};

// A Range header against an object of `size` bytes. nullopt: serve the whole
// object (no header, or one S3 ignores: several ranges, bad syntax, last <
// first). Throws S3Error InvalidRange (416) when unsatisfiable.
std::optional<ByteRange> parse_range(const std::string* header, std::uint64_t size);

}  // namespace shoal::s3
