// The saved state of a background job (scrub, rebuild): a small text file of
// "name value" lines, rewritten whole and atomically, so that a job resumes
// where it was after a crash or restart.
//
//   JobState state;
//   state.set("cursor.key", key);  state.set_number("pieces_done", n);
//   state.save(dir / "rebuild-0123.job");        // temp file, fdatasync, rename, fsync dir
//   auto loaded = JobState::load(path);          // nullopt if there is none
//
// Values may hold any bytes (object keys do): bytes outside printable ASCII,
// spaces and '%' are written as %XX. Unknown names are kept and ignored.
// Blocking I/O; throws std::runtime_error naming the file on failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::engine {

class JobState {
public:
    void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
    void set_number(const std::string& name, std::uint64_t value) { values_[name] = std::to_string(value); }
    std::string get(const std::string& name) const;
    std::uint64_t number(const std::string& name) const;  // 0 if absent or not a number
    const std::map<std::string, std::string>& entries() const { return values_; }

    void save(const std::filesystem::path& file) const;
    // nullopt when the file does not exist; throws when it cannot be read.
    static std::optional<JobState> load(const std::filesystem::path& file);

private:
    std::map<std::string, std::string> values_;
};

}  // namespace shoal::engine
