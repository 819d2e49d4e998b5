// Streams content from a source into storage: kept in memory when it ends
// within the inline threshold, else cut into chunks written to different
// drives chosen by the conscience, as the policy says:
// - copies: each chunk (chunk_size content bytes) is written whole n times;
// - EC<k>+<m>: each chunk group (about k * chunk_size content bytes) is cut
//   into segments, each encoded into k + m fragments, fragment i of every
//   segment appended to fragment file i (core/ec/segment_layout.hpp).
// Computes the content digests on the way (once, whatever the pieces).
//
// Invariants:
// - Until keep() is called, every chunk file this writer created is removed
//   by discard() (call it on every failure path); after keep() the chunks
//   belong to the metadata that references them.
// - Every chunk has at least the policy's write quorum of pieces (copies: a
//   majority; EC: k + 1): a piece whose drive fails is dropped (and the drive
//   reported to the conscience), and the upload fails with
//   StorageUnavailable, naming the drives, when fewer than the quorum remain.
//   Fewer pieces than the policy wants (drives full or failed) is logged,
//   naming each drive left out and why, and counted (short_chunks(),
//   shortfall()): the caller queues the content for repair with its commit.
// - chunks() lists a chunk's pieces next to each other (same offset and
//   length: the content bytes the chunk or group covers).
//
// Memory: the I/O buffer, plus for EC one segment's k + m fragments.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/chunk/chunk_store.hpp"
#include "core/ec/segment_encoder.hpp"
#include "core/ec/segment_layout.hpp"
#include "core/ec/storage_policy.hpp"
#include "core/engine/byte_source.hpp"
#include "core/engine/content_digests.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

class ObjectStore;

class ContentWriter {
public:
    // `owner` describes the object (index and offset are filled per chunk).
    // inline_threshold 0: always use chunks (multipart parts). For EC,
    // segment_size is the segment size (ObjectStore::segment_size_for).
    ContentWriter(ObjectStore& store, chunk::ChunkOwner owner, ec::StoragePolicy policy, std::uint32_t segment_size,
                  std::uint64_t inline_threshold, ChecksumAlgorithm checksum, std::uint64_t max_size);
    ContentWriter(const ContentWriter&) = delete;
    ContentWriter& operator=(const ContentWriter&) = delete;

    // Reads the source to its end. Throws TooLarge, StorageUnavailable,
    // ChunkError, or whatever the source throws.
    asio::awaitable<void> consume(ByteSource& source);

    const ContentDigests::Result& digests() const { return digests_; }
    std::string& inline_data() { return inline_data_; }
    std::vector<meta::ChunkRef>& chunks() { return chunks_; }

    // Chunks written with fewer pieces than the policy wants, and why (the
    // drives left out and their reasons), for the repair queue.
    std::size_t short_chunks() const { return short_chunks_; }
    const std::string& shortfall() const { return shortfall_; }

    void keep() { kept_ = true; }
    asio::awaitable<void> discard();

private:
    enum class Hashed { already, not_yet };  // whether `data` went through hashing_ yet
    asio::awaitable<void> append(std::string_view data, Hashed hashed);
    asio::awaitable<void> start_chunk();
    asio::awaitable<void> finish_chunk();
    // Writes `data` (content bytes) to the pieces of the current chunk. On the pool.
    void write_pieces(std::string_view data);
    // Encodes the segment gathered so far and appends its fragments. On the pool.
    void write_segment();
    // One piece (copy or fragment file) of the chunk being written.
    struct Piece {
        std::optional<chunk::ChunkWriter> writer;
        meta::ChunkRef ref;  // chunk id and length filled when finished
        std::string failure;  // why its drive failed it, if it did
        bool full = false;    // the failure was the drive being full
    };
    // Runs `step` on every piece of the current chunk, then drops the pieces
    // whose drive failed (reporting them); throws StorageUnavailable when
    // fewer than the write quorum are left. On the pool.
    void for_each_piece(const std::function<void(Piece&)>& step);
    // Adds a drive the current chunk has no piece on, and why, to left_out_.
    void note_left_out(std::uint64_t drive, const std::string& why);
    bool erasure() const { return policy_.kind == ec::StoragePolicy::Kind::erasure; }

    ObjectStore& store_;
    chunk::ChunkOwner owner_;
    const ec::StoragePolicy policy_;
    const std::uint64_t inline_threshold_;
    const std::uint64_t max_size_;
    std::uint64_t chunk_bytes_;  // content bytes per chunk (copies) or group (EC)
    // EC only: the geometry and the segment being gathered.
    std::optional<ec::SegmentLayout> layout_;
    std::optional<ec::SegmentEncoder> encoder_;
    ContentDigests hashing_;
    ContentDigests::Result digests_;
    std::string inline_data_;
    std::vector<meta::ChunkRef> chunks_;  // finished chunks' pieces
    std::vector<Piece> pieces_;           // the chunk being written; empty between chunks
    std::string left_out_;                // its drives left out or dropped, and why ("" if none)
    std::size_t short_chunks_ = 0;
    std::string shortfall_;               // left_out_ of the last short chunk
    std::uint64_t chunk_offset_ = 0;      // its first byte in the content
    std::uint32_t chunk_index_ = 0;       // its position among the content's chunks
    std::uint64_t written_ = 0;           // bytes handed to chunks
    bool kept_ = false;
};

}  // namespace shoal::engine
