#include "core/storage/drive_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace shoal::storage {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err = 0) {
    std::string message = "drive " + path.string() + ": " + what;
    if (err != 0) message += ": " + std::string(std::strerror(err));
    throw DriveError(message);
}

}  // namespace

DriveDirectory DriveDirectory::open(const std::filesystem::path& given) {
    std::error_code ec;
    const std::filesystem::path path = std::filesystem::absolute(given, ec).lexically_normal();
    if (ec) fail(given, "cannot resolve path", ec.value());

    std::filesystem::create_directories(path, ec);
    if (ec) fail(path, "cannot create directory", ec.value());
    if (!std::filesystem::is_directory(path, ec)) fail(path, "not a directory");
    if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) fail(path, "directory not writable", errno);

    const std::filesystem::path lock_path = path / kLockFileName;
    runtime::UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock) fail(path, "cannot open lock file " + lock_path.string(), errno);
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) fail(path, "in use by another shoald process (" + lock_path.string() + " is locked)");
        fail(path, "cannot lock " + lock_path.string(), errno);
    }
    // The owner's pid, for operators wondering who holds the lock.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock.get(), 0) != 0 || ::pwrite(lock.get(), pid.data(), pid.size(), 0) < 0) {
        fail(path, "cannot write lock file " + lock_path.string(), errno);
    }
    return DriveDirectory(path, std::move(lock));
}

}  // namespace shoal::storage
