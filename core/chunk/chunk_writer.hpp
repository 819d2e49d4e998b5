// Writes one chunk file, streaming: the caller appends the chunk's bytes in
// buffers of any size, then finish() makes the chunk durable and visible.
//
//   ChunkWriter w = store.create(id, owner, codec);   // see chunk_store.hpp
//   w.append(buf1, n1); w.append(buf2, n2); ...
//   ChunkInfo info = w.finish();   // only now may metadata point to the chunk
//
// Invariants:
// - Until finish() returns, the chunk exists only as a pending file
//   (<drive>/chunks/pending/<id>.<random>), never under its final name.
// - finish() completes the header (data length, data CRC-32C), fdatasyncs the
//   file, renames it to <drive>/chunks/<ab>/<cd>/<id> (refusing to replace an
//   existing chunk) and fsyncs that directory (and, once per process, the
//   parents of newly seen directories). When it returns, the chunk survives a
//   crash. A crash before leaves no chunk, or a pending file that
//   ChunkStore::collect_pending() removes.
// - A writer destroyed (or abort()ed) before finish() removes its pending file.
// - Written data is handed to the disk every kWritebackStep bytes
//   (sync_file_range, without waiting), so finish()'s fdatasync waits only
//   for the tail instead of the whole chunk.
// - Memory: at most one block (block_size bytes) is buffered, and only when an
//   append does not end on a block boundary; whole blocks are written straight
//   from the caller's buffer.
// - After any error the writer is failed: further append/finish throw, and the
//   pending file is removed on destruction.
//
// Blocking POSIX I/O (run it on an I/O thread). One writer is used by one
// thread at a time. Its ChunkStore must outlive it. Errors throw ChunkError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/chunk/chunk_error.hpp"
#include "core/chunk/chunk_format.hpp"
#include "core/runtime/unique_fd.hpp"

namespace shoal::chunk {

class ChunkStore;

// What a finished chunk is: what the object's metadata records.
struct ChunkInfo {
    ChunkId id;
    std::uint64_t size = 0;      // data bytes
    std::uint32_t crc32c = 0;    // CRC-32C of the data bytes
    std::filesystem::path file;  // its final path
};

class ChunkWriter {
public:
    ChunkWriter(ChunkWriter&& other) noexcept;
    ChunkWriter& operator=(ChunkWriter&& other) noexcept;
    ChunkWriter(const ChunkWriter&) = delete;
    ChunkWriter& operator=(const ChunkWriter&) = delete;
    ~ChunkWriter();

    void append(const void* data, std::size_t size);
    void append(std::string_view bytes) { append(bytes.data(), bytes.size()); }

    // Durable and visible, or throws (then nothing is visible under the final name).
    ChunkInfo finish();

    // Gives up: removes the pending file. Safe to call at any time.
    void abort() noexcept;

    const ChunkId& id() const { return header_.id; }
    std::uint64_t size() const { return header_.data_length + buffered_; }
    const std::filesystem::path& pending_file() const { return pending_; }

    // How much written data starts the disk writing it (see the invariants).
    static constexpr std::uint64_t kWritebackStep = 1024 * 1024;

private:
    friend class ChunkStore;
    enum class State { open, failed, finished, abandoned };

    ChunkWriter(ChunkStore& store, ChunkHeader header, std::filesystem::path pending, runtime::UniqueFd fd);

    void write_block(const std::uint8_t* data, std::uint32_t length);
    [[noreturn]] void fail(ChunkErrc code, const std::string& reason, const std::filesystem::path& file);
    [[noreturn]] void fail(ChunkErrc code, const std::string& reason) { fail(code, reason, pending_); }

    ChunkStore* store_;
    ChunkHeader header_;  // data_length and data_crc32c count the blocks written so far
    std::filesystem::path pending_;
    runtime::UniqueFd fd_;
    std::unique_ptr<std::uint8_t[]> block_;  // the partial block, allocated on first need
    std::uint32_t buffered_ = 0;
    std::uint64_t next_block_ = 0;
    std::uint64_t not_handed_ = 0;  // bytes written since writeback was last started
    State state_ = State::open;
};

}  // namespace shoal::chunk
