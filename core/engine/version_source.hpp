// The content of a stored object version (or a byte range of it) as a
// ByteSource: what a server-side copy writes through the normal writer path
// (ObjectStore::put / put_part), so a copy streams, is cut into chunks and is
// made durable exactly like a PUT.
//
// Memory: none of its own; each read() fills the caller's buffer from one
// chunk file (kept open until the next chunk is needed).
//
// The version must outlive the source (the reader refers to it). The caller
// holds a read lease (ObjectStore::lease_reads(), taken before the metadata
// was read), so the chunks stay even if the version is deleted meanwhile; a
// chunk missing anyway (a damaged drive) makes read() throw ChunkError
// not_found, and the caller decides what that means (see copy_ops.cpp).
#pragma once

#include <cstdint>
#include <memory>

#include "core/engine/byte_source.hpp"
#include "core/engine/object_store.hpp"

namespace shoal::engine {

class VersionSource : public ByteSource {
public:
    // Bytes [first, first + length) of `version` (of `bucket`), which must lie within it.
    VersionSource(ObjectStore& store, const meta::ObjectVersion& version, std::string bucket, std::uint64_t first,
                  std::uint64_t length);

    asio::awaitable<std::size_t> read(std::span<char> out) override;

private:
    std::unique_ptr<ObjectStore::Reader> reader_;
    std::uint64_t next_;  // the next offset to read
    const std::uint64_t end_;
};

}  // namespace shoal::engine
