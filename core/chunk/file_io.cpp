#include "core/chunk/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/runtime/unique_fd.hpp"

namespace shoal::chunk::detail {
namespace {

// Drops `n` transferred bytes from the front of iov[index, count).
void advance(::iovec* iov, int count, int& index, std::size_t n) {
    while (index < count && n >= iov[index].iov_len) {
        n -= iov[index].iov_len;
        ++index;
    }
    if (index < count && n > 0) {
        iov[index].iov_base = static_cast<char*>(iov[index].iov_base) + n;
        iov[index].iov_len -= n;
    }
}

}  // namespace

int writev_all(int fd, ::iovec* iov, int count) {
    int index = 0;
    while (index < count) {
        if (iov[index].iov_len == 0) {
            ++index;
            continue;
        }
        const ssize_t n = ::writev(fd, iov + index, count - index);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        advance(iov, count, index, static_cast<std::size_t>(n));
    }
    return 0;
}

int pwrite_all(int fd, const void* data, std::size_t size, std::uint64_t offset) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    return 0;
}

int preadv_full(int fd, ::iovec* iov, int count, std::uint64_t offset, std::size_t& got, int flags) {
    got = 0;
    int index = 0;
    while (index < count) {
        if (iov[index].iov_len == 0) {
            ++index;
            continue;
        }
        const ssize_t n = flags == 0 ? ::preadv(fd, iov + index, count - index, static_cast<off_t>(offset))
                                     : ::preadv2(fd, iov + index, count - index, static_cast<off_t>(offset), flags);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) break;  // end of file
        got += static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
        advance(iov, count, index, static_cast<std::size_t>(n));
    }
    return 0;
}

int pread_full(int fd, void* data, std::size_t size, std::uint64_t offset, std::size_t& got) {
    ::iovec iov{data, size};
    return preadv_full(fd, &iov, 1, offset, got);
}

int fsync_directory(const std::filesystem::path& dir) {
    runtime::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return errno;
    while (::fsync(fd.get()) != 0) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

int rename_noreplace(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return errno;
    if (::link(from.c_str(), to.c_str()) == 0) {
        ::unlink(from.c_str());  // a leftover pending name is garbage collection's
        return 0;
    }
    if (errno == EEXIST) return EEXIST;
    struct ::stat st;
    if (::lstat(to.c_str(), &st) == 0) return EEXIST;
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

std::string error_text(int err) { return std::strerror(err); }

}  // namespace shoal::chunk::detail
