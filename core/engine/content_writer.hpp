// Streams content from a source into storage: kept in memory when it ends
// within the inline threshold, else cut into chunk files on drives chosen by
// the conscience. Computes the content digests on the way.
//
// Invariant: until keep() is called, every chunk this writer created is
// removed by discard() (call it on every failure path); after keep() the
// chunks belong to the metadata that references them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/chunk/chunk_store.hpp"
#include "core/engine/byte_source.hpp"
#include "core/engine/content_digests.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

class ObjectStore;

class ContentWriter {
public:
    // `owner` describes the object (index and offset are filled per chunk).
    // inline_threshold 0: always use chunks (multipart parts).
    ContentWriter(ObjectStore& store, chunk::ChunkOwner owner, std::uint64_t inline_threshold,
                  ChecksumAlgorithm checksum, std::uint64_t max_size);
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

    ObjectStore& store_;
    chunk::ChunkOwner owner_;
    const std::uint64_t inline_threshold_;
    const std::uint64_t max_size_;
    ContentDigests hashing_;
    ContentDigests::Result digests_;
    std::string inline_data_;
    std::vector<meta::ChunkRef> chunks_;
    std::optional<chunk::ChunkWriter> writer_;
    std::uint64_t written_ = 0;  // bytes handed to chunks
    bool kept_ = false;
};

}  // namespace shoal::engine
