#include "core/placement/conscience.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shoal::placement {

Conscience::Conscience(std::vector<DriveInfo> drives, ConscienceOptions options)
    : options_(options), random_(std::random_device{}()) {
    for (auto& d : drives) {
        DriveScore s;
        s.id = d.id;
        s.path = std::move(d.path);
        loads_.emplace_back(s.path, options_.diskstats);
        drives_.push_back(std::move(s));
    }
    std::lock_guard lock(mutex_);
    // First scores are set without the rise limit: a node starts usable.
    for (DriveScore& s : drives_) s.write_score = 100;
    refresh_locked();
}

void Conscience::add_drive(DriveInfo drive) {
    std::lock_guard lock(mutex_);
    DriveScore s;
    s.id = drive.id;
    s.path = std::move(drive.path);
    loads_.emplace_back(s.path, options_.diskstats);
    // Like the drives at start: scored at once from its free space, without
    // the slow rise, so that it takes new writes right away.
    s.write_score = 100;
    drives_.push_back(std::move(s));
    refresh_locked();
}

void Conscience::refresh() {
    std::lock_guard lock(mutex_);
    refresh_locked();
}

void Conscience::refresh_locked() {
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < drives_.size(); ++i) {
        DriveScore& s = drives_[i];
        s.io_load = loads_[i].sample(now);
        s.io_device = loads_[i].device();
        struct statvfs vfs {};
        int target;
        if (::statvfs(s.path.c_str(), &vfs) != 0) {
            s.why = std::string("statvfs failed: ") + std::strerror(errno);
            target = 0;
        } else {
            s.free_bytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
            s.total_bytes = static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize;
            if (s.failed) {
                target = 0;
            } else if (s.free_bytes < options_.min_free_bytes) {
                target = 0;
                s.why = "free space under the floor";
            } else {
                const int free_percent =
                    s.total_bytes == 0 ? 0 : static_cast<int>(s.free_bytes * 100 / s.total_bytes);
                const int penalty = options_.max_load_penalty * s.io_load / 100;
                target = std::max(1, free_percent * (100 - penalty) / 100);
                s.why = "free space " + std::to_string(free_percent) + " %, I/O load " + std::to_string(s.io_load) +
                        " %" + (s.io_device.empty() ? " (no block device)" : " (" + s.io_device + ")");
            }
        }
        // Rise slowly, fall at once.
        s.write_score = target < s.write_score ? target : std::min(target, s.write_score + options_.max_rise);
    }
    refreshed_ = now;
}

std::optional<std::uint64_t> Conscience::pick_for_write() {
    const std::vector<std::uint64_t> one = pick_distinct_for_write(1);
    if (one.empty()) return std::nullopt;
    return one.front();
}

std::vector<std::uint64_t> Conscience::pick_distinct_for_write(std::size_t count,
                                                               const std::vector<std::uint64_t>& exclude) {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - refreshed_ >= options_.refresh_interval) refresh_locked();
    std::vector<std::pair<std::uint64_t, std::uint64_t>> candidates;  // (drive, weight) not drawn yet
    std::uint64_t total = 0;
    for (const DriveScore& s : drives_) {
        const auto weight = static_cast<std::uint64_t>(std::max(0, s.write_score));
        if (weight == 0 || std::find(exclude.begin(), exclude.end(), s.id) != exclude.end()) continue;
        candidates.emplace_back(s.id, weight);
        total += weight;
    }
    std::vector<std::uint64_t> picked;
    while (picked.size() < count && total > 0) {
        std::uint64_t pick = random_() % total;
        auto it = candidates.begin();
        while (pick >= it->second) {
            pick -= it->second;
            ++it;
        }
        picked.push_back(it->first);
        total -= it->second;
        candidates.erase(it);
    }
    return picked;
}

void Conscience::report_failure(std::uint64_t drive, const std::string& why) {
    std::lock_guard lock(mutex_);
    for (DriveScore& s : drives_) {
        if (s.id == drive) {
            s.failed = true;
            s.write_score = 0;
            s.why = why;
        }
    }
}

void Conscience::report_full(std::uint64_t drive, const std::string& why) {
    std::lock_guard lock(mutex_);
    for (DriveScore& s : drives_) {
        if (s.id == drive) {
            s.write_score = 0;
            s.why = "full: " + why;
        }
    }
}

std::vector<DriveScore> Conscience::scores() {
    std::lock_guard lock(mutex_);
    return drives_;
}

std::vector<DriveScore> Conscience::current_scores() {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - refreshed_ >= options_.refresh_interval) refresh_locked();
    return drives_;
}

}  // namespace shoal::placement
