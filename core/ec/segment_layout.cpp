#include "core/ec/segment_layout.hpp"

#include <algorithm>
#include <string>

namespace shoal::ec {

SegmentLayout::SegmentLayout(const ReedSolomon& codec, std::uint32_t segment_bytes)
    : codec_(codec), segment_bytes_(segment_bytes), full_fragment_(0) {
    if (segment_bytes == 0) throw EcError("segment size must be at least 1 byte");
    full_fragment_ = codec.fragment_size(segment_bytes);
}

std::uint64_t SegmentLayout::segment_count(std::uint64_t content_bytes) const {
    return (content_bytes + segment_bytes_ - 1) / segment_bytes_;
}

std::uint32_t SegmentLayout::segment_length(std::uint64_t content_bytes, std::uint64_t index) const {
    const std::uint64_t start = index * segment_bytes_;
    if (start >= content_bytes) {
        throw EcError("segment " + std::to_string(index) + " is past the content's " + std::to_string(content_bytes) +
                      " bytes");
    }
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(segment_bytes_, content_bytes - start));
}

std::uint64_t SegmentLayout::fragment_file_bytes(std::uint64_t content_bytes) const {
    const std::uint64_t count = segment_count(content_bytes);
    if (count == 0) return 0;
    return (count - 1) * full_fragment_ + fragment_bytes(segment_length(content_bytes, count - 1));
}

std::vector<SegmentLayout::Piece> SegmentLayout::pieces_of(std::uint64_t content_bytes, std::uint64_t offset,
                                                           std::uint64_t length) const {
    if (offset > content_bytes || length > content_bytes - offset) {
        throw EcError("range of " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                      " is past the content's " + std::to_string(content_bytes) + " bytes");
    }
    std::vector<Piece> pieces;
    const std::uint64_t end = offset + length;
    for (std::uint64_t at = offset; at < end;) {
        const std::uint64_t segment = at / segment_bytes_;
        const std::uint64_t start = segment * segment_bytes_;
        const std::uint32_t segment_length = this->segment_length(content_bytes, segment);
        const auto first = static_cast<std::uint32_t>(at - start);
        const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(end - at, segment_length - first));
        pieces.push_back(Piece{segment, segment_length, first, n});
        at += n;
    }
    return pieces;
}

std::pair<int, int> SegmentLayout::data_fragments_of(std::uint32_t segment_length, std::uint32_t first,
                                                     std::uint32_t length) const {
    if (length == 0 || first + std::uint64_t{length} > segment_length) {
        throw EcError("no data fragment holds " + std::to_string(length) + " bytes at " + std::to_string(first) +
                      " of a " + std::to_string(segment_length) + "-byte segment");
    }
    const std::size_t f = fragment_bytes(segment_length);
    return {static_cast<int>(first / f), static_cast<int>((first + std::uint64_t{length} - 1) / f)};
}

}  // namespace shoal::ec
