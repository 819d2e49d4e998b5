#include "core/engine/drive_history.hpp"

#include "core/engine/job_state.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

std::vector<DriveChange> record_drives(const std::filesystem::path& file,
                                       const std::vector<std::pair<std::filesystem::path, std::uint64_t>>& current) {
    // One "path id" entry per drive path (JobState escapes the paths).
    JobState history = JobState::load(file).value_or(JobState{});
    std::vector<DriveChange> changed;
    bool dirty = false;
    for (const auto& [path, id] : current) {
        const std::string key = std::filesystem::absolute(path).lexically_normal().string();
        const std::string known = history.get(key);
        const std::string now = meta::format_version_id(id);
        std::uint64_t old_id = 0;
        if (!known.empty() && known != now && meta::parse_version_id(known, old_id)) {
            changed.push_back(DriveChange{path, old_id, id});
        }
        if (known != now) {
            history.set(key, now);
            dirty = true;
        }
    }
    if (dirty) history.save(file);
    return changed;
}

}  // namespace shoal::engine
