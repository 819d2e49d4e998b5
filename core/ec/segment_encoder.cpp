#include "core/ec/segment_encoder.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::ec {

SegmentEncoder::SegmentEncoder(const SegmentLayout& layout) : layout_(layout) {
    const auto total = static_cast<std::size_t>(layout.codec().k() + layout.codec().m());
    buffer_ = std::make_unique_for_overwrite<char[]>(total * layout.full_fragment_bytes());
    pointers_.resize(total);
    fragments_.resize(total);
}

std::size_t SegmentEncoder::add(std::span<const char> data) {
    const std::size_t n = std::min<std::size_t>(data.size(), layout_.segment_bytes() - filled_);
    // Content goes to the data fragments in order: byte b of the segment is
    // byte b % F of fragment b / F, where F depends on the segment's final
    // length, known only at encode(); so gather it contiguously first.
    std::memcpy(buffer_.get() + filled_, data.data(), n);
    filled_ += static_cast<std::uint32_t>(n);
    return n;
}

const std::vector<std::span<const char>>& SegmentEncoder::encode() {
    if (filled_ == 0) throw EcError("no segment to encode");
    const ReedSolomon& codec = layout_.codec();
    const std::size_t f = layout_.fragment_bytes(filled_);
    const auto k = static_cast<std::size_t>(codec.k());
    // The k data fragments are [0, k * f) of the buffer (the content, then
    // zeros); parity fragments follow them.
    std::memset(buffer_.get() + filled_, 0, k * f - filled_);
    for (std::size_t i = 0; i < pointers_.size(); ++i) {
        pointers_[i] = buffer_.get() + i * f;
        fragments_[i] = std::span<const char>(pointers_[i], f);
    }
    codec.encode(pointers_, f);
    filled_ = 0;
    return fragments_;
}

}  // namespace shoal::ec
