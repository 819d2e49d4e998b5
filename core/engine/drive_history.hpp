// Which drive (by its persistent id) each drive path held at the last start,
// so that a replaced drive is noticed: a path that now holds a drive with
// another id (an empty directory or a new disk put in place of a dead one)
// means the old drive's pieces are gone, and need a rebuild.
//
//   auto replaced = record_drives(meta_dir / "drives.history", current);
//   for (const DriveChange& c : replaced) maintenance.rebuild(c.old_id);
//
// The file keeps paths no longer configured too, so that a path dropped from
// the configuration and later given back is still compared. Blocking; throws
// std::runtime_error naming the file when it cannot be read or written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

namespace shoal::engine {

struct DriveChange {
    std::filesystem::path path;
    std::uint64_t old_id = 0;
    std::uint64_t new_id = 0;
};

// Compares `current` (path, id) with the history file, saves the current
// drives into it, and returns the paths whose drive changed.
std::vector<DriveChange> record_drives(const std::filesystem::path& file,
                                       const std::vector<std::pair<std::filesystem::path, std::uint64_t>>& current);

}  // namespace shoal::engine
