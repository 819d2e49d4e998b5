// Blocking POSIX file I/O for core/chunk: loops over short transfers and
// EINTR, and fsync of directories. Internal to the module (namespace detail).
// Every function returns 0 or an errno value; callers turn that into a
// ChunkError that names the file.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace shoal::chunk::detail {

// Writes all of iov[0, count) at the file position (adjusts the iovecs).
int writev_all(int fd, ::iovec* iov, int count);

// Writes all of data at `offset` without moving the file position.
int pwrite_all(int fd, const void* data, std::size_t size, std::uint64_t offset);

// Reads iov[0, count) from `offset` until they are full or the file ends;
// `got` is the number of bytes read (fewer only at end of file). `flags` are
// preadv2's: with RWF_NOWAIT the read fails with EAGAIN as soon as a byte is
// not in the page cache (it never waits for the disk).
int preadv_full(int fd, ::iovec* iov, int count, std::uint64_t offset, std::size_t& got, int flags = 0);
int pread_full(int fd, void* data, std::size_t size, std::uint64_t offset, std::size_t& got);

// Opens `dir` and fsyncs it, making its entries (creations, renames, removals)
// durable.
int fsync_directory(const std::filesystem::path& dir);

// Renames `from` to `to` unless `to` exists (then EEXIST): renameat2
// RENAME_NOREPLACE, or on filesystems without it link() + unlink(), or as a
// last resort (no hard links, e.g. exFAT) a check then rename().
int rename_noreplace(const std::filesystem::path& from, const std::filesystem::path& to);

// "strerror text (errno name)" for messages, e.g. "No space left on device".
std::string error_text(int err);

}  // namespace shoal::chunk::detail
