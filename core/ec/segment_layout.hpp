// The geometry of erasure-coded content: where each content byte lies among
// segments, fragments and fragment files.
//
// Content (a chunk group of an object or part) is cut into segments of
// segment_bytes (the last one may be shorter). A segment of length L is split
// over k data fragments of F = codec.fragment_size(L) bytes (the content in
// order, zero-padded to k * F) and encoded into m parity fragments of F bytes.
// Fragment i of consecutive segments is appended to the same fragment file i,
// so every fragment file of a group has the same size, and fragment i of
// segment s starts at s * full_fragment_bytes() in it.
//
//   SegmentLayout layout(codec, 1 << 20);
//   layout.segment_count(n); layout.fragment_file_bytes(n);
//   for (auto s : layout.segments_of(offset, length)) ... // what a range read needs
//
// A layout is a pure function of (k, m, algorithm, segment_bytes), which the
// object records: reading never depends on the configuration of the day.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/ec/reed_solomon.hpp"

namespace shoal::ec {

class SegmentLayout {
public:
    // segment_bytes: at least 1. The codec must outlive the layout.
    SegmentLayout(const ReedSolomon& codec, std::uint32_t segment_bytes);

    const ReedSolomon& codec() const { return codec_; }
    std::uint32_t segment_bytes() const { return segment_bytes_; }
    // F for a full segment: the stride of fragments in a fragment file.
    std::size_t full_fragment_bytes() const { return full_fragment_; }

    std::uint64_t segment_count(std::uint64_t content_bytes) const;
    // Length of segment `index` of content of `content_bytes` (index < count).
    std::uint32_t segment_length(std::uint64_t content_bytes, std::uint64_t index) const;
    std::size_t fragment_bytes(std::uint32_t segment_length) const { return codec_.fragment_size(segment_length); }
    // Size of each of the k + m fragment files of content of `content_bytes`.
    std::uint64_t fragment_file_bytes(std::uint64_t content_bytes) const;
    std::uint64_t fragment_offset(std::uint64_t segment_index) const { return segment_index * full_fragment_; }

    // One segment's share of a content byte range.
    struct Piece {
        std::uint64_t segment;         // index
        std::uint32_t segment_length;  // all of the segment's content bytes
        std::uint32_t first;           // the range's first byte, within the segment
        std::uint32_t length;          // the range's bytes in this segment
    };
    // The segments holding content bytes [offset, offset + length), in order;
    // the range must lie within content_bytes.
    std::vector<Piece> pieces_of(std::uint64_t content_bytes, std::uint64_t offset, std::uint64_t length) const;

    // Which data fragments of a segment hold its bytes [first, first + length):
    // [first_fragment, last_fragment] (inclusive).
    std::pair<int, int> data_fragments_of(std::uint32_t segment_length, std::uint32_t first,
                                          std::uint32_t length) const;

private:
    const ReedSolomon& codec_;
    std::uint32_t segment_bytes_;
    std::size_t full_fragment_;
};

}  // namespace shoal::ec
