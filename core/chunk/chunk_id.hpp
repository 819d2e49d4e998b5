// The identity of a chunk: 128 bits, written as 32 lowercase hexadecimal
// characters. It names the chunk's file on its drive
// (<drive>/chunks/<hex 0-1>/<hex 2-3>/<hex>) and is repeated in the file's
// header, so a file can never be taken for another chunk.
//
// Ids are random (ChunkId::random(), from the kernel's CSPRNG) or derived by
// the caller from a hash of (object version, position, fragment) and built
// from its first 16 bytes; this module does not care which. The all-zero id is
// "nil" and never names a chunk.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::chunk {

class ChunkId {
public:
    static constexpr std::size_t kBytes = 16;
    static constexpr std::size_t kHexLength = 2 * kBytes;
    using Bytes = std::array<std::uint8_t, kBytes>;

    ChunkId() = default;  // nil
    explicit ChunkId(const Bytes& bytes) : bytes_(bytes) {}

    // 128 random bits from getrandom(2). Throws std::system_error if the kernel
    // cannot provide them.
    static ChunkId random();

    // Exactly 32 lowercase hex digits (the only spelling, so one id has one file
    // name); nullopt otherwise.
    static std::optional<ChunkId> parse(std::string_view hex);

    std::string to_string() const;
    const Bytes& bytes() const { return bytes_; }
    bool is_nil() const { return bytes_ == Bytes{}; }

    friend bool operator==(const ChunkId&, const ChunkId&) = default;
    friend std::strong_ordering operator<=>(const ChunkId&, const ChunkId&) = default;

private:
    Bytes bytes_{};
};

}  // namespace shoal::chunk
