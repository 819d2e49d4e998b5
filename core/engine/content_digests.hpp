// The digests computed over an object's content as it streams in: MD5 (the
// S3 ETag of a single-part object) always, and one of the S3 additional
// checksums when the client asked for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/hash/crc32.hpp"
#include "core/hash/crc32c.hpp"
#include "core/hash/md5.hpp"
#include "core/hash/sha1.hpp"
#include "core/hash/sha256.hpp"

namespace shoal::engine {

enum class ChecksumAlgorithm { none, crc32, crc32c, sha1, sha256 };

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name);  // "CRC32", "crc32", ...
std::string_view checksum_name(ChecksumAlgorithm algorithm);                       // "CRC32", ...
std::string_view checksum_header(ChecksumAlgorithm algorithm);  // "x-amz-checksum-crc32", ...

class ContentDigests {
public:
    explicit ContentDigests(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {}

    void update(std::string_view data);

    struct Result {
        std::string md5;  // 16 raw bytes
        ChecksumAlgorithm algorithm = ChecksumAlgorithm::none;
        std::string checksum;  // base64 of the big-endian value / digest
        std::uint64_t size = 0;
    };
    Result finish();

private:
    ChecksumAlgorithm algorithm_;
    std::uint64_t size_ = 0;
    hash::Md5 md5_;
    hash::Crc32 crc32_;
    hash::Crc32c crc32c_;
    std::optional<hash::Sha1> sha1_;
    std::optional<hash::Sha256> sha256_;
};

}  // namespace shoal::engine
