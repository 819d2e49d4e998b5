// Reads content bytes of one erasure-coded chunk group: the k + m fragment
// files that ObjectVersion::chunks lists with the same offset (see
// core/ec/segment_layout.hpp for the geometry).
//
//   ErasureGroupReader group(store, "bucket/key", refs, codec, segment_size);
//   std::size_t n = group.read(offset_in_group, length, out);  // n <= length
//
// Invariants:
// - Healthy reads touch only the data fragments holding the bytes asked for,
//   and copy them straight into `out`: no decoding, no extra copy.
// - When one of those fragments is absent, unreadable, on an unknown drive,
//   the wrong size or fails a block check, the whole segment is read from
//   any k other fragments and decoded; the damage is logged (for repair),
//   and that fragment is not tried again by this reader.
// - Every byte returned passed its fragment file's block checks (or was
//   decoded from fragments that did): wrong bytes are never served. With
//   fewer than k readable fragments, read() throws ObjectUnreadable naming
//   the object, the segment and every unusable fragment's drive and error.
// - A read never crosses a segment end: it returns at most the rest of the
//   segment holding `offset`.
//
// Memory: one segment's k + m fragments, allocated on the first degraded
// read; one open file per fragment read.
//
// Blocking I/O (the pool), except read_if_cached. One thread at a time. The
// refs, codec and store must outlive the reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/chunk/chunk_reader.hpp"
#include "core/ec/reed_solomon.hpp"
#include "core/ec/segment_layout.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

class ObjectStore;

class ErasureGroupReader {
public:
    // `pieces`: the group's refs (any order, some possibly absent), all with
    // the group's offset and content length.
    // `object` names the object in errors and logs ("bucket/key").
    ErasureGroupReader(ObjectStore& store, std::string object, std::span<const meta::ChunkRef> pieces,
                       const ec::ReedSolomon& codec, std::uint32_t segment_size);

    // Reads up to `length` bytes at `offset` (within the group) into `out`,
    // stopping at the end of the segment; returns the count (> 0).
    std::size_t read(std::uint64_t offset, std::size_t length, char* out);

    // read(), but only when every data fragment needed is open and healthy
    // and its blocks are in the page cache: never blocks on a device (see
    // ChunkReader::read_if_cached). Returns 0 when it cannot.
    std::size_t read_if_cached(std::uint64_t offset, std::size_t length, char* out);

    // Whether any fragment was found damaged or absent so far.
    bool degraded() const;
    // The chunk ids of the fragments found bad so far (absent ones have none).
    std::vector<std::string> bad_chunks() const;

private:
    struct Range {  // the part of a segment read asks for
        std::uint64_t segment;
        std::uint32_t segment_length;
        std::uint32_t first;   // within the segment
        std::uint32_t length;
        std::size_t fragment_bytes;  // F of this segment
    };
    Range range_of(std::uint64_t offset, std::size_t length) const;
    // The part of data fragment `i` that range `r` covers: [from, to) in
    // segment bytes, empty when none.
    std::pair<std::uint64_t, std::uint64_t> share_of(const Range& r, int i) const;
    // Opens fragment `i` (checking its size and header), or throws.
    chunk::ChunkReader& open(int i);
    // Reads segment `r` from the first k usable fragments and decodes its
    // data into segment_. cached_only: only from open readers and the page
    // cache, returning false as soon as that cannot be done (nothing marked
    // failed); otherwise opens and reads what it needs, marks what fails, and
    // throws ObjectUnreadable with fewer than k left.
    bool decode_segment(const Range& r, bool cached_only);
    void mark_failed(int i, const std::exception& error);

    ObjectStore& store_;
    const std::string object_;
    const ec::ReedSolomon& codec_;
    const ec::SegmentLayout layout_;
    std::uint64_t group_bytes_ = 0;   // the group's content bytes
    std::uint64_t group_offset_ = 0;  // its first byte in the object
    std::vector<const meta::ChunkRef*> refs_;           // by fragment index; null if absent
    std::vector<std::optional<chunk::ChunkReader>> readers_;
    std::vector<std::string> failures_;                 // by fragment index; non-empty: do not use
    std::unique_ptr<char[]> segment_;                   // decoding buffer, (k + m) * full fragment
};

}  // namespace shoal::engine
