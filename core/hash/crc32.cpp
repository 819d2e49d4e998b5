#include "core/hash/crc32.hpp"

namespace shoal::hash {
namespace {

constexpr std::uint32_t kPolynomial = 0xEDB88320u;  // reflected 0x04C11DB7

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

// tables[0] is the classic byte-at-a-time table; tables[k][b] is the CRC of
// byte b followed by k zero bytes, which lets 8 input bytes be folded at once.
constexpr Tables make_tables() {
    Tables t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t crc = b;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ kPolynomial : crc >> 1;
        t[0][b] = crc;
    }
    for (std::size_t k = 1; k < t.size(); ++k) {
        for (std::size_t b = 0; b < 256; ++b) {
            const std::uint32_t prev = t[k - 1][b];
            t[k][b] = (prev >> 8) ^ t[0][prev & 0xFFu];
        }
    }
    return t;
}

constexpr Tables kTables = make_tables();

}  // namespace

void Crc32::update(const std::uint8_t* p, std::size_t size) {
    std::uint32_t crc = state_;
    while (size >= 8) {
        const std::uint32_t lo = crc ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                        std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
        crc = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^ kTables[5][(lo >> 16) & 0xFFu] ^
              kTables[4][lo >> 24] ^ kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^
              kTables[0][p[7]];
        p += 8;
        size -= 8;
    }
    while (size-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xFFu];
    state_ = crc;
}

Crc32& Crc32::update(std::span<const std::byte> data) {
    update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    return *this;
}

Crc32& Crc32::update(std::span<const std::uint8_t> data) {
    update(data.data(), data.size());
    return *this;
}

Crc32& Crc32::update(std::string_view data) {
    update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    return *this;
}

std::array<std::uint8_t, 4> Crc32::digest() const {
    const std::uint32_t v = value();
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

std::uint32_t crc32(std::span<const std::byte> data) { return Crc32().update(data).value(); }

std::uint32_t crc32(std::string_view data) { return Crc32().update(data).value(); }

}  // namespace shoal::hash
