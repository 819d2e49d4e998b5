// The chunk store of one drive: the tree of chunk files under
// <drive>/chunks/ (layout in chunk_paths.hpp, file format in
// chunk_format.hpp), and what can be done with it as a whole: create
// (ChunkWriter) and open (ChunkReader) chunks, remove them, scan the tree to
// re-index or scrub the drive, and collect pending files left by crashes.
//
//   ChunkStore store(drive.path());      // the caller holds the DriveDirectory lock
//   ChunkWriter w = store.create(ChunkId::random(), owner);
//   store.scan([&](const ScannedChunk& c) { index.add(c.header); });
//
// Invariants:
// - Every chunk file reachable under its final name was fdatasynced, renamed
//   into place and its directory entry made durable before its writer's
//   finish() returned.
// - A directory entry the writers rely on is made durable by whoever sees it
//   first in this process (mkdir or not), before any chunk is published in it;
//   the store remembers which of the 256 + 65,536 hashed directories are
//   known durable (8 KiB of bits), so that costs one fsync per directory per
//   process lifetime.
//
// Thread-safe: its methods may be called from several I/O threads at once.
// Blocking POSIX I/O. Errors throw ChunkError.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

#include "core/chunk/chunk_error.hpp"
#include "core/chunk/chunk_format.hpp"
#include "core/chunk/chunk_paths.hpp"
#include "core/chunk/chunk_reader.hpp"
#include "core/chunk/chunk_writer.hpp"

namespace shoal::chunk {

struct ScannedChunk {
    std::filesystem::path file;
    ChunkHeader header;
};

struct ScanOptions {
    bool verify_data = false;  // also check every block (a scrub), not only headers (a re-index)
};

struct ScanStats {
    std::uint64_t chunks = 0;      // reported to on_chunk
    std::uint64_t data_bytes = 0;  // their data
    std::uint64_t errors = 0;      // reported to on_error
};

class ChunkStore {
public:
    // Opens (creating if needed) <drive>/chunks and <drive>/chunks/pending, and
    // makes them durable. Throws ChunkError.
    explicit ChunkStore(std::filesystem::path drive);

    ChunkStore(const ChunkStore&) = delete;
    ChunkStore& operator=(const ChunkStore&) = delete;

    const std::filesystem::path& drive() const { return drive_; }
    std::filesystem::path path_of(const ChunkId& id) const { return chunk_path(drive_, id); }

    // Starts writing chunk `id` as a pending file carrying `owner` and `codec`.
    ChunkWriter create(const ChunkId& id, const ChunkOwner& owner, const ChunkCodec& codec = {},
                       std::uint32_t block_size = kDefaultBlockSize);

    ChunkReader open(const ChunkId& id) const { return ChunkReader::open(drive_, id); }

    // Removes a chunk and makes the removal durable. False if there was none.
    bool remove(const ChunkId& id);

    // Walks the chunk tree in byte order of the ids, calling on_chunk with the
    // header of each chunk whose header (and with verify_data, data) checks
    // out, and on_error for each damaged, misplaced or unexpected file and each
    // unreadable directory; the walk goes on after errors. Exceptions thrown by
    // the callbacks propagate. Memory: one directory listing at a time.
    ScanStats scan(const std::function<void(const ScannedChunk&)>& on_chunk,
                   const std::function<void(const ChunkError&)>& on_error = {}, ScanOptions options = {}) const;

    // Removes pending files not modified for at least `older_than` (crash
    // leftovers and abandoned writes) and returns how many. `older_than` must
    // exceed the longest pause between two appends of a live writer; 0 is safe
    // only when no writer is running (e.g. at startup).
    std::size_t collect_pending(std::chrono::seconds older_than);

private:
    friend class ChunkWriter;

    // Makes sure <drive>/chunks/<ab>/<cd> exists and its entry is durable;
    // returns it.
    std::filesystem::path prepare_chunk_directory(const ChunkId& id);
    void ensure_durable_directory(const std::filesystem::path& dir, const std::filesystem::path& parent,
                                  std::size_t slot);

    std::filesystem::path drive_;
    std::filesystem::path chunks_;
    std::filesystem::path pending_;

    std::mutex mutex_;
    std::vector<bool> durable_;  // [0, 256): chunks/<ab>; [256, 256 + 65536): chunks/<ab>/<cd>
};

}  // namespace shoal::chunk
