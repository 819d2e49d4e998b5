// Cuts input into pieces of pseudo-random sizes (mostly tiny, sometimes a few
// hundred bytes), the same pieces for the same seed: how bytes arrive from a
// socket.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace shoal::fuzz {

class Splitter {
public:
    explicit Splitter(std::uint64_t seed) : state_(seed | 1) {}

    // The size of the next piece, 1 to `left` bytes (left > 0).
    std::size_t next(std::size_t left) {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        const std::size_t pick = (state_ >> 8) % 4 == 0 ? (state_ >> 16) % 300 : (state_ >> 16) % 8;
        return std::min(left, pick + 1);
    }

private:
    std::uint64_t state_;
};

}  // namespace shoal::fuzz
