// Reads one chunk file, verifying everything it serves.
//
//   ChunkReader r = ChunkReader::open(drive, id);  // or store.open(id)
//   r.header().owner.key; r.size();
//   r.read(offset, length, out);   // any byte range of the data
//   r.verify_all();                // scrub: every block and the data CRC
//
// Invariants:
// - open() checks the magic, version, header CRC, that the header names the
//   id the file is named after, and that the file has exactly the size the
//   header implies (so truncation is caught before any read).
// - read() maps the range to the blocks covering it and checks each block's
//   CRC-32C (bound to its index and the chunk id) before any of it counts as
//   read; only those blocks are read. On a read or check error `out` is
//   zeroed and a ChunkError (naming drive, chunk file and object) is thrown:
//   data that failed its check is never returned.
// - Memory: whole blocks are read straight into `out`; one block-sized scratch
//   buffer is allocated for ranges that start or end inside a block.
//
// Blocking POSIX I/O. One reader is used by one thread at a time (read() uses
// the reader's scratch buffer); open one reader per thread for parallel reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/chunk/chunk_error.hpp"
#include "core/chunk/chunk_format.hpp"
#include "core/runtime/unique_fd.hpp"

namespace shoal::chunk {

class ChunkReader {
public:
    // Opens <drive>/chunks/<ab>/<cd>/<id>. Throws ChunkError (not_found,
    // corrupt, io_error).
    static ChunkReader open(const std::filesystem::path& drive, const ChunkId& id);

    // Opens a chunk file by path, which must hold chunk `expected` (used by
    // scans, which find files rather than ids).
    static ChunkReader open_file(const std::filesystem::path& drive, const std::filesystem::path& file,
                                 const ChunkId& expected);

    const ChunkHeader& header() const { return header_; }
    std::uint64_t size() const { return header_.data_length; }
    std::uint32_t header_size() const { return header_size_; }
    const std::filesystem::path& file() const { return file_; }

    // Copies data bytes [offset, offset + length) into out[0, length), after
    // verifying every block they touch. The range must lie within size().
    void read(std::uint64_t offset, std::size_t length, void* out);

    // read(), but only from the page cache: returns false (out zeroed) as soon
    // as a block would have to come from the disk, or when the kernel cannot
    // tell (no RWF_NOWAIT). Never blocks on the device, so an event loop may
    // call it and hand the read to a blocking thread only when it returns false.
    bool read_if_cached(std::uint64_t offset, std::size_t length, void* out);

    // Reads and checks every block, and the CRC-32C of the whole data against
    // the header's.
    void verify_all();

private:
    ChunkReader(std::filesystem::path drive, std::filesystem::path file, runtime::UniqueFd fd, ChunkHeader header,
                std::uint32_t header_size)
        : drive_(std::move(drive)), file_(std::move(file)), fd_(std::move(fd)), header_(std::move(header)),
          header_size_(header_size) {}

    // Reads block `index` into dst (its length) and checks it; returns the
    // block's plain CRC-32C, or nothing when `flags` (preadv2's) hold
    // RWF_NOWAIT and the block is not all in the page cache.
    std::optional<std::uint32_t> read_block(std::uint64_t index, std::uint8_t* dst, std::uint32_t length,
                                            int flags = 0);
    // read() with preadv2 `flags`: false when a block was not read (see read_block).
    bool read_range(std::uint64_t offset, std::size_t length, void* out, int flags);
    std::uint8_t* scratch();
    [[noreturn]] void fail(ChunkErrc code, const std::string& reason) const;

    std::filesystem::path drive_;
    std::filesystem::path file_;
    runtime::UniqueFd fd_;
    ChunkHeader header_;
    std::uint32_t header_size_;
    std::unique_ptr<std::uint8_t[]> scratch_;  // block_size bytes, on first need
};

}  // namespace shoal::chunk
