#include "core/runtime/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/runtime/unique_fd.hpp"

namespace shoal::runtime {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const char* what, int err) {
    throw std::runtime_error(std::string(what) + " " + file.string() + ": " + std::strerror(err));
}

}  // namespace

void write_file_durably(const std::filesystem::path& file, std::string_view content, unsigned mode) {
    const std::filesystem::path temp = file.string() + ".tmp";
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd) fail(temp, "cannot create", errno);
        // A leftover temporary (a crash between its creation and the rename)
        // keeps its mode through O_CREAT: set it.
        if (::fchmod(fd.get(), mode) != 0) fail(temp, "cannot set the mode of", errno);
        for (std::size_t done = 0; done < content.size();) {
            const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(temp, "cannot write", errno);
            done += static_cast<std::size_t>(n);
        }
        if (::fdatasync(fd.get()) != 0) fail(temp, "cannot sync", errno);
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) fail(file, "cannot rename into place", errno);
    sync_directory(file.has_parent_path() ? file.parent_path() : std::filesystem::path("."));
}

void create_directories_durably(const std::filesystem::path& dir) {
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::absolute(dir, ec).lexically_normal();
    if (ec) fail(dir, "cannot resolve", ec.value());
    std::vector<std::filesystem::path> missing;
    for (std::filesystem::path p = target; !std::filesystem::exists(p, ec) && p.has_relative_path();
         p = p.parent_path()) {
        missing.push_back(p);
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) fail(*it, "cannot create directory", errno);
        sync_directory(it->parent_path());
    }
    if (!std::filesystem::is_directory(target, ec)) fail(target, "cannot create directory", ENOTDIR);
    if (missing.empty()) {
        // Found: best effort (its parent may not be ours to read, and an
        // earlier run that made it synced it unless it crashed at once).
        UniqueFd parent(::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (parent) (void)::fsync(parent.get());
    }
}

void sync_directory(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail(dir, "cannot open the directory", errno);
    while (::fsync(fd.get()) != 0) {
        if (errno != EINTR) fail(dir, "cannot sync the directory", errno);
    }
}

std::optional<std::string> read_small_file(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        fail(file, "cannot open", errno);
    }
    std::string content;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(file, "cannot read", errno);
        if (n == 0) return content;
        content.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace shoal::runtime
