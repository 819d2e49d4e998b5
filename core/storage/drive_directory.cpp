#include "core/storage/drive_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <cstring>
#include <string>
#include <string_view>

#include "core/runtime/durable_file.hpp"

namespace shoal::storage {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err = 0) {
    std::string message = "drive " + path.string() + ": " + what;
    if (err != 0) message += ": " + std::string(std::strerror(err));
    throw DriveError(message);
}

// Reads the drive's id, or creates one (durably: file data, then directory entry).
std::uint64_t drive_id(const std::filesystem::path& dir) {
    const std::filesystem::path file = dir / DriveDirectory::kIdFileName;
    runtime::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) {
        char text[32] = {};
        const ssize_t n = ::read(fd.get(), text, sizeof text - 1);
        std::uint64_t id = 0;
        if (n > 0 && std::sscanf(text, "%16" SCNx64, &id) == 1 && id != 0) return id;
        fail(dir, "unreadable drive id in " + file.string());
    }
    if (errno != ENOENT) fail(dir, "cannot read " + file.string(), errno);

    std::random_device random;
    const std::uint64_t id = (static_cast<std::uint64_t>(random()) << 32) | random() | 1;
    char text[32];
    const int len = std::snprintf(text, sizeof text, "%016" PRIx64 "\n", id);
    try {
        runtime::write_file_durably(file, std::string_view(text, static_cast<std::size_t>(len)), 0644);
    } catch (const std::runtime_error& e) {
        fail(dir, e.what());
    }
    return id;
}

}  // namespace

DriveDirectory DriveDirectory::open(const std::filesystem::path& given) {
    std::error_code ec;
    const std::filesystem::path path = std::filesystem::absolute(given, ec).lexically_normal();
    if (ec) fail(given, "cannot resolve path", ec.value());

    if (!std::filesystem::is_directory(path, ec)) {
        // Made durable, name included: else a power cut may take the drive
        // directory away with everything written into it.
        try {
            runtime::create_directories_durably(path);
        } catch (const std::runtime_error& e) {
            fail(path, e.what());
        }
    }
    if (!std::filesystem::is_directory(path, ec)) fail(path, "not a directory");
    if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) fail(path, "directory not writable", errno);

    const std::filesystem::path lock_path = path / kLockFileName;
    // Held open read-only (flock needs no write access): an idle drive then has
    // no file open for writing, so it can be remounted read-only under shoald.
    runtime::UniqueFd lock(::open(lock_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
    if (!lock) fail(path, "cannot open lock file " + lock_path.string(), errno);
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) fail(path, "in use by another shoald process (" + lock_path.string() + " is locked)");
        fail(path, "cannot lock " + lock_path.string(), errno);
    }
    // The owner's pid, for operators wondering who holds the lock.
    const std::string pid = std::to_string(::getpid()) + "\n";
    const runtime::UniqueFd owner(::open(lock_path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!owner || ::write(owner.get(), pid.data(), pid.size()) < 0) {
        fail(path, "cannot write lock file " + lock_path.string(), errno);
    }
    const std::uint64_t id = drive_id(path);
    return DriveDirectory(path, std::move(lock), id);
}

}  // namespace shoal::storage
