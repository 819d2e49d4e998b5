// Turns a stream of content bytes into fragments, one segment at a time
// (see segment_layout.hpp), holding one segment's k + m fragments at most.
//
//   SegmentEncoder encoder(layout);
//   while (reading) {
//       data = data.subspan(encoder.add(data));
//       if (encoder.full()) write(encoder.encode());  // fragment i to file i
//   }
//   if (!encoder.empty()) write(encoder.encode());     // the last, shorter segment
//
// Memory: (k + m) * layout.full_fragment_bytes(), allocated once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/ec/segment_layout.hpp"

namespace shoal::ec {

class SegmentEncoder {
public:
    explicit SegmentEncoder(const SegmentLayout& layout);

    // Takes as many of `data`'s bytes as the current segment has room for;
    // returns how many.
    std::size_t add(std::span<const char> data);
    bool full() const { return filled_ == layout_.segment_bytes(); }
    bool empty() const { return filled_ == 0; }

    // Encodes the segment gathered so far (not empty) and starts the next.
    // The k + m fragments, each layout.fragment_bytes(length) bytes, stay
    // valid until the next add().
    const std::vector<std::span<const char>>& encode();

private:
    const SegmentLayout& layout_;
    std::unique_ptr<char[]> buffer_;  // fragment i at i * full_fragment_bytes
    std::vector<char*> pointers_;
    std::vector<std::span<const char>> fragments_;
    std::uint32_t filled_ = 0;  // content bytes of the current segment
};

}  // namespace shoal::ec
