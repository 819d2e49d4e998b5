// Streams content from a source into storage: kept in memory when it ends
// within the inline threshold, else cut into chunks, each written as the
// policy's copies to different drives chosen by the conscience. Computes the
// content digests on the way (once, whatever the number of copies).
//
// Invariants:
// - Until keep() is called, every chunk file this writer created is removed
//   by discard() (call it on every failure path); after keep() the chunks
//   belong to the metadata that references them.
// - Every chunk has at least the policy's write quorum of copies: a copy
//   whose drive fails is dropped (and the drive reported to the conscience),
//   and the upload fails with StorageUnavailable, naming the drives, when
//   fewer than the quorum remain. Fewer copies than the policy wants (drives
//   full or failed) is logged as perfectible, for repair.
// - chunks() lists a chunk's copies next to each other (same offset).
//
// Only copy policies so far (ObjectStore::cannot_write refuses the others).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/chunk/chunk_store.hpp"
#include "core/ec/storage_policy.hpp"
#include "core/engine/byte_source.hpp"
#include "core/engine/content_digests.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

class ObjectStore;

class ContentWriter {
public:
    // `owner` describes the object (index and offset are filled per chunk).
    // inline_threshold 0: always use chunks (multipart parts).
    ContentWriter(ObjectStore& store, chunk::ChunkOwner owner, ec::StoragePolicy policy,
                  std::uint64_t inline_threshold, ChecksumAlgorithm checksum, std::uint64_t max_size);
    ContentWriter(const ContentWriter&) = delete;
    ContentWriter& operator=(const ContentWriter&) = delete;

    // Reads the source to its end. Throws TooLarge, StorageUnavailable,
    // ChunkError, or whatever the source throws.
    asio::awaitable<void> consume(ByteSource& source);

    const ContentDigests::Result& digests() const { return digests_; }
    std::string& inline_data() { return inline_data_; }
    std::vector<meta::ChunkRef>& chunks() { return chunks_; }

    void keep() { kept_ = true; }
    asio::awaitable<void> discard();

private:
    enum class Hashed { already, not_yet };  // whether `data` went through hashing_ yet
    asio::awaitable<void> append(std::string_view data, Hashed hashed);
    asio::awaitable<void> start_chunk();
    asio::awaitable<void> finish_chunk();
    // One copy of the chunk being written.
    struct Copy {
        std::optional<chunk::ChunkWriter> writer;
        meta::ChunkRef ref;  // chunk id and length filled when finished
        std::string failure;  // why its drive failed it, if it did
    };
    // Runs `step` on every copy of the current chunk, then drops the copies
    // whose drive failed (reporting them); throws StorageUnavailable when
    // fewer than the write quorum are left. On the pool.
    void for_each_copy(const std::function<void(Copy&)>& step);

    ObjectStore& store_;
    chunk::ChunkOwner owner_;
    const ec::StoragePolicy policy_;
    const std::uint64_t inline_threshold_;
    const std::uint64_t max_size_;
    ContentDigests hashing_;
    ContentDigests::Result digests_;
    std::string inline_data_;
    std::vector<meta::ChunkRef> chunks_;  // finished chunks' copies
    std::vector<Copy> copies_;            // the chunk being written; empty between chunks
    std::uint64_t chunk_offset_ = 0;      // its first byte in the content
    std::uint32_t chunk_index_ = 0;       // its position among the content's chunks
    std::uint64_t written_ = 0;           // bytes handed to chunks
    bool kept_ = false;
};

}  // namespace shoal::engine
