#include "core/engine/drive_attach.hpp"

#include "core/engine/job_state.hpp"
#include "core/engine/object_store.hpp"

namespace shoal::engine {

std::uint64_t attach_drive(ObjectStore& store, const std::filesystem::path& path,
                           const std::filesystem::path& added_file) {
    auto directory = std::make_unique<storage::DriveDirectory>(storage::DriveDirectory::open(path));
    const std::uint64_t id = directory->id();
    auto chunks = std::make_unique<chunk::ChunkStore>(directory->path());
    // Not written by this process yet: any pending file is a leftover.
    chunks->collect_pending(std::chrono::seconds(0));
    const std::filesystem::path where = directory->path();
    // Remembered first: a drive that took writes must be found again after a
    // restart. (Remembered but not attached, after a failure below, is
    // harmless: the next start attaches it.)
    JobState added = JobState::load(added_file).value_or(JobState{});
    added.set(std::filesystem::absolute(where).lexically_normal().string(), meta::format_version_id(id));
    added.save(added_file);
    store.add_drive(Drive{id, std::move(chunks), std::move(directory)});
    store.conscience().add_drive(placement::Conscience::DriveInfo{id, where});
    store.log().info("drive attached", {{"path", where.string()}, {"id", meta::format_version_id(id)}});
    return id;
}

std::vector<std::filesystem::path> attached_before(const std::filesystem::path& added_file) {
    std::vector<std::filesystem::path> paths;
    if (const auto added = JobState::load(added_file)) {
        for (const auto& [path, id] : added->entries()) paths.emplace_back(path);
    }
    return paths;
}

}  // namespace shoal::engine
