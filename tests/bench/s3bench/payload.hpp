// The bytes the benchmark uploads: one incompressible pattern buffer (1 MiB),
// repeated as often as an object's size needs. Every object of a given size
// has the same content, so its length, CRC-32C and SHA-256 are computed once
// and GET bodies can be checked without keeping them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace shoal::bench {

class Payload {
public:
    static constexpr std::size_t kPatternBytes = 1 << 20;

    Payload();

    // The body's bytes [offset, offset + n) are pattern()[(offset % kPatternBytes) ...]:
    // slice() gives the longest contiguous run of at most `max` bytes at `offset`.
    std::span<const char> slice(std::uint64_t offset, std::uint64_t max) const;

    // CRC-32C and lowercase hex SHA-256 of a body of `size` bytes.
    std::uint32_t crc32c(std::uint64_t size) const;
    std::string sha256_hex(std::uint64_t size) const;

private:
    std::vector<char> pattern_;
};

}  // namespace shoal::bench
