#include "core/chunk/chunk_id.hpp"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace shoal::chunk {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // uppercase is refused on purpose: one id, one spelling
}

}  // namespace

ChunkId ChunkId::random() {
    Bytes bytes;
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        filled += static_cast<std::size_t>(n);
    }
    return ChunkId(bytes);
}

std::optional<ChunkId> ChunkId::parse(std::string_view hex) {
    if (hex.size() != kHexLength) return std::nullopt;
    Bytes bytes;
    for (std::size_t i = 0; i < kBytes; ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return ChunkId(bytes);
}

std::string ChunkId::to_string() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(kHexLength, '0');
    for (std::size_t i = 0; i < kBytes; ++i) {
        out[2 * i] = kDigits[bytes_[i] >> 4];
        out[2 * i + 1] = kDigits[bytes_[i] & 0xf];
    }
    return out;
}

}  // namespace shoal::chunk
