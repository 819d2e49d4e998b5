#include "core/engine/erasure_group_reader.hpp"

#include <algorithm>
#include <cstring>

#include "core/engine/object_store.hpp"

namespace shoal::engine {

ErasureGroupReader::ErasureGroupReader(ObjectStore& store, std::string object, std::span<const meta::ChunkRef> pieces,
                                       const ec::ReedSolomon& codec, std::uint32_t segment_size)
    : store_(store), object_(std::move(object)), codec_(codec), layout_(codec, segment_size) {
    const auto total = static_cast<std::size_t>(codec.k() + codec.m());
    refs_.assign(total, nullptr);
    readers_.resize(total);
    failures_.resize(total);
    for (const meta::ChunkRef& ref : pieces) {
        group_bytes_ = ref.length;
        group_offset_ = ref.offset;
        if (ref.piece < total) refs_[ref.piece] = &ref;
    }
    for (std::size_t i = 0; i < total; ++i) {
        if (refs_[i] == nullptr) failures_[i] = "never written (its drive failed during the upload)";
    }
}

bool ErasureGroupReader::degraded() const {
    return std::any_of(failures_.begin(), failures_.end(), [](const std::string& f) { return !f.empty(); });
}

std::vector<std::string> ErasureGroupReader::bad_chunks() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < failures_.size(); ++i) {
        if (!failures_[i].empty() && refs_[i] != nullptr) out.push_back(refs_[i]->chunk_id);
    }
    return out;
}

ErasureGroupReader::Range ErasureGroupReader::range_of(std::uint64_t offset, std::size_t length) const {
    Range r;
    r.segment = offset / layout_.segment_bytes();
    r.segment_length = layout_.segment_length(group_bytes_, r.segment);
    r.first = static_cast<std::uint32_t>(offset - r.segment * layout_.segment_bytes());
    r.length = static_cast<std::uint32_t>(std::min<std::uint64_t>(length, r.segment_length - r.first));
    r.fragment_bytes = layout_.fragment_bytes(r.segment_length);
    return r;
}

std::pair<std::uint64_t, std::uint64_t> ErasureGroupReader::share_of(const Range& r, int i) const {
    const std::uint64_t from = std::max<std::uint64_t>(r.first, static_cast<std::uint64_t>(i) * r.fragment_bytes);
    const std::uint64_t to =
        std::min<std::uint64_t>(std::uint64_t{r.first} + r.length, static_cast<std::uint64_t>(i + 1) * r.fragment_bytes);
    return {from, std::max(from, to)};
}

chunk::ChunkReader& ErasureGroupReader::open(int i) {
    auto& reader = readers_[static_cast<std::size_t>(i)];
    if (reader) return *reader;
    const meta::ChunkRef& ref = *refs_[static_cast<std::size_t>(i)];
    chunk::ChunkStore* drive = store_.drive(ref.drive);
    const auto id = chunk::ChunkId::parse(ref.chunk_id);
    if (drive == nullptr || !id) {
        throw StorageUnavailable("fragment " + std::to_string(i) + " (chunk " + ref.chunk_id + ") is on drive " +
                                 meta::format_version_id(ref.drive) + ", which this node does not have");
    }
    chunk::ChunkReader opened = drive->open(*id);
    // The file must be the fragment the metadata says, of the group's size:
    // a fragment of another index decodes into wrong bytes without a block
    // failing its check.
    const chunk::ChunkCodec& codec = opened.header().codec;
    const std::uint64_t expected = layout_.fragment_file_bytes(group_bytes_);
    if (codec.fragment != static_cast<std::uint8_t>(i) || codec.k != codec_.k() || codec.m != codec_.m() ||
        opened.size() != expected) {
        throw chunk::ChunkError(chunk::ChunkErrc::corrupt, drive->drive(), opened.file(),
                                chunk::describe_object(opened.header().owner),
                                "expected fragment " + std::to_string(i) + " of " + std::to_string(codec_.k()) + "+" +
                                    std::to_string(codec_.m()) + " with " + std::to_string(expected) +
                                    " bytes, found fragment " + std::to_string(codec.fragment) + " of " +
                                    std::to_string(codec.k) + "+" + std::to_string(codec.m) + " with " +
                                    std::to_string(opened.size()));
    }
    reader.emplace(std::move(opened));
    return *reader;
}

void ErasureGroupReader::mark_failed(int i, const std::exception& error) {
    const auto index = static_cast<std::size_t>(i);
    readers_[index].reset();
    // Short for the client's error (the drive is named there); in full in the log.
    const auto* chunk_error = dynamic_cast<const chunk::ChunkError*>(&error);
    failures_[index] = chunk_error != nullptr ? chunk_error->reason() : std::string(error.what());
    const meta::ChunkRef& ref = *refs_[index];
    store_.log().warn("chunk fragment unreadable, decoding from the others",
                      {{"object", object_}, {"fragment", i}, {"chunk", ref.chunk_id},
                       {"drive", meta::format_version_id(ref.drive)}, {"error", error.what()}});
}

std::size_t ErasureGroupReader::read_if_cached(std::uint64_t offset, std::size_t length, char* out) {
    const Range r = range_of(offset, length);
    const auto [low, high] = layout_.data_fragments_of(r.segment_length, r.first, r.length);
    for (int i = low; i <= high; ++i) {
        if (!failures_[static_cast<std::size_t>(i)].empty()) {
            // Degraded: decoding a segment from cached fragments costs less
            // than the hop to the pool (4+2 rebuilds one at ~30 GB/s).
            if (!decode_segment(r, true)) return 0;
            std::memcpy(out, segment_.get() + r.first, r.length);
            return r.length;
        }
        if (!readers_[static_cast<std::size_t>(i)]) return 0;  // opening may block: the pool does it
    }
    const std::uint64_t base = layout_.fragment_offset(r.segment);
    for (int i = low; i <= high; ++i) {
        const auto [from, to] = share_of(r, i);
        if (from == to) continue;
        try {
            if (!readers_[static_cast<std::size_t>(i)]->read_if_cached(
                    base + from - static_cast<std::uint64_t>(i) * r.fragment_bytes, to - from,
                    out + (from - r.first))) {
                return 0;
            }
        } catch (const chunk::ChunkError&) {
            return 0;  // damaged: read() on the pool finds it again and decodes
        }
    }
    return r.length;
}

std::size_t ErasureGroupReader::read(std::uint64_t offset, std::size_t length, char* out) {
    const Range r = range_of(offset, length);
    const auto [low, high] = layout_.data_fragments_of(r.segment_length, r.first, r.length);
    const std::uint64_t base = layout_.fragment_offset(r.segment);
    bool whole = true;
    for (int i = low; i <= high && whole; ++i) {
        if (!failures_[static_cast<std::size_t>(i)].empty()) {
            whole = false;
            break;
        }
        const auto [from, to] = share_of(r, i);
        if (from == to) continue;
        try {
            open(i).read(base + from - static_cast<std::uint64_t>(i) * r.fragment_bytes, to - from,
                         out + (from - r.first));
        } catch (const std::exception& e) {
            mark_failed(i, e);
            whole = false;
        }
    }
    if (whole) return r.length;
    decode_segment(r, false);
    std::memcpy(out, segment_.get() + r.first, r.length);
    return r.length;
}

bool ErasureGroupReader::decode_segment(const Range& r, bool cached_only) {
    const int k = codec_.k();
    const int total = k + codec_.m();
    if (!segment_) {
        segment_ = std::make_unique_for_overwrite<char[]>(static_cast<std::size_t>(total) *
                                                           layout_.full_fragment_bytes());
    }
    const std::size_t f = r.fragment_bytes;
    const std::uint64_t base = layout_.fragment_offset(r.segment);
    std::vector<char*> fragments(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) fragments[static_cast<std::size_t>(i)] = segment_.get() + static_cast<std::size_t>(i) * f;
    // The first k usable fragments in index order (what decode_data takes):
    // data fragments first, so that fewer are rebuilt.
    std::vector<int> missing;
    int have = 0;
    for (int i = 0; i < total; ++i) {
        const auto index = static_cast<std::size_t>(i);
        if (have == k || !failures_[index].empty()) {
            missing.push_back(i);
            continue;
        }
        if (cached_only) {
            try {
                if (!readers_[index] || !readers_[index]->read_if_cached(base, f, fragments[index])) return false;
            } catch (const chunk::ChunkError&) {
                return false;  // the pool's read finds it again and marks it
            }
            ++have;
            continue;
        }
        try {
            open(i).read(base, f, fragments[index]);
            ++have;
        } catch (const std::exception& e) {
            mark_failed(i, e);
            missing.push_back(i);
        }
    }
    if (have < k && cached_only) return false;
    if (have < k) {
        std::string why;
        for (int i = 0; i < total; ++i) {
            const auto index = static_cast<std::size_t>(i);
            if (failures_[index].empty()) continue;
            why += (why.empty() ? "" : "; ") + std::string("fragment ") + std::to_string(i);
            if (refs_[index] != nullptr) {
                const chunk::ChunkStore* drive = store_.drive(refs_[index]->drive);
                why += " on drive " + (drive != nullptr ? drive->drive().string()
                                                        : meta::format_version_id(refs_[index]->drive));
            }
            why += ": " + failures_[index];
        }
        throw ObjectUnreadable("object " + object_ + ": segment " + std::to_string(r.segment) + " of the chunk group at " +
                               std::to_string(group_offset_) + " needs " + std::to_string(k) +
                               " readable fragments, only " + std::to_string(have) + " are left: " + why);
    }
    codec_.decode_data(fragments, missing, f);
    return true;
}

}  // namespace shoal::engine
