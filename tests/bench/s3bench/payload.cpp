#include "tests/bench/s3bench/payload.hpp"

#include <algorithm>

#include "core/hash/crc32c.hpp"
#include "core/hash/encoding.hpp"
#include "core/hash/sha256.hpp"

namespace shoal::bench {

Payload::Payload() : pattern_(kPatternBytes) {
    // xorshift64*: fixed seed, so every run uploads the same bytes.
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i < pattern_.size(); i += 8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        std::uint64_t v = x * 0x2545F4914F6CDD1Dull;
        for (std::size_t j = 0; j < 8 && i + j < pattern_.size(); ++j, v >>= 8) {
            pattern_[i + j] = static_cast<char>(v & 0xff);
        }
    }
}

std::span<const char> Payload::slice(std::uint64_t offset, std::uint64_t max) const {
    const std::size_t at = static_cast<std::size_t>(offset % kPatternBytes);
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max, kPatternBytes - at));
    return {pattern_.data() + at, n};
}

std::uint32_t Payload::crc32c(std::uint64_t size) const {
    std::uint32_t crc = 0;
    for (std::uint64_t done = 0; done < size;) {
        const std::span<const char> s = slice(done, size - done);
        crc = hash::crc32c(s.data(), s.size(), crc);
        done += s.size();
    }
    return crc;
}

std::string Payload::sha256_hex(std::uint64_t size) const {
    hash::Sha256 h;
    for (std::uint64_t done = 0; done < size;) {
        const std::span<const char> s = slice(done, size - done);
        h.update(std::string_view(s.data(), s.size()));
        done += s.size();
    }
    const hash::Sha256::Digest d = h.finish();
    return hash::hex_encode(std::span<const std::uint8_t>(d.data(), d.size()));
}

}  // namespace shoal::bench
