// CRC-32 as in ISO-HDLC / zlib / Ethernet (reflected polynomial 0xEDB88320,
// initial value and final XOR 0xFFFFFFFF): the x-amz-checksum-crc32 checksum.
// Not CRC-32C (Castagnoli), which lives in core/hash/crc32c.hpp.
//
// Streaming and table-driven (slice-by-8, tables built at compile time),
// portable: bytes are combined with shifts, never loaded through casts, so it
// behaves the same on any endianness and alignment. value() may be read at any
// time and does not end the stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace shoal::hash {

class Crc32 {
public:
    Crc32& update(std::span<const std::byte> data);
    Crc32& update(std::span<const std::uint8_t> data);
    Crc32& update(std::string_view data);

    // The CRC of everything fed so far.
    std::uint32_t value() const { return ~state_; }

    // value() as 4 big-endian bytes: what x-amz-checksum-crc32 carries in base64.
    std::array<std::uint8_t, 4> digest() const;

    void reset() { state_ = 0xFFFFFFFFu; }

private:
    void update(const std::uint8_t* data, std::size_t size);

    std::uint32_t state_ = 0xFFFFFFFFu;
};

std::uint32_t crc32(std::span<const std::byte> data);
std::uint32_t crc32(std::string_view data);

}  // namespace shoal::hash
