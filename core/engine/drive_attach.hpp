// Attaching a drive to a running node: its directory is opened and locked
// (created if missing, given an id), leftover pending chunk files removed,
// and it joins the object store and the conscience at once, taking new writes
// by its free space. Nothing is rebalanced: existing chunks stay where they
// are. The path is remembered in `added_file` (a JobState file of "path id"
// lines), so that the next start attaches it again even if the configuration
// does not list it.
//
// Blocking (directory creation, fsync): call it off the event loops.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace shoal::engine {

class ObjectStore;

// Returns the drive's id. Throws storage::DriveError (not a usable
// directory, locked by another process) or std::runtime_error (already
// attached, too many drives, cannot remember it).
std::uint64_t attach_drive(ObjectStore& store, const std::filesystem::path& path,
                           const std::filesystem::path& added_file);

// The drives attached at runtime before (paths), from `added_file`; empty if
// there is none.
std::vector<std::filesystem::path> attached_before(const std::filesystem::path& added_file);

}  // namespace shoal::engine
