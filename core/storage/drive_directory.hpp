// One data directory given to shoald (normally one per drive).
//
// Opening it creates the directory if missing, checks that it is a writable
// directory, and takes an exclusive lock on "<dir>/.shoal.lock" that is held
// until the object is destroyed, so two shoald processes can never write to
// the same drive. Errors name the directory and the reason.
//
// Each drive carries a persistent random id in "<dir>/.shoal-drive-id",
// written (and synced) the first time it is opened. Metadata records chunk
// locations by drive id, so drives may be listed in any order and moved to
// other mount points.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>

#include "core/runtime/unique_fd.hpp"

namespace shoal::storage {

class DriveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class DriveDirectory {
public:
    static constexpr const char* kLockFileName = ".shoal.lock";
    static constexpr const char* kIdFileName = ".shoal-drive-id";

    // Throws DriveError.
    static DriveDirectory open(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return path_; }
    std::uint64_t id() const { return id_; }

private:
    DriveDirectory(std::filesystem::path path, runtime::UniqueFd lock, std::uint64_t id)
        : path_(std::move(path)), lock_(std::move(lock)), id_(id) {}

    std::filesystem::path path_;  // absolute
    runtime::UniqueFd lock_;
    std::uint64_t id_;
};

}  // namespace shoal::storage
