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
        drives_.push_back(std::move(s));
    }
    std::lock_guard lock(mutex_);
    // First scores are set without the rise limit: a node starts usable.
    for (DriveScore& s : drives_) s.write_score = 100;
    refresh_locked();
}

void Conscience::refresh() {
    std::lock_guard lock(mutex_);
    refresh_locked();
}

void Conscience::refresh_locked() {
    for (DriveScore& s : drives_) {
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
                target = s.total_bytes == 0 ? 0 : static_cast<int>(std::max<std::uint64_t>(1, s.free_bytes * 100 / s.total_bytes));
                s.why = "free space";
            }
        }
        // Rise slowly, fall at once.
        s.write_score = target < s.write_score ? target : std::min(target, s.write_score + options_.max_rise);
    }
    refreshed_ = std::chrono::steady_clock::now();
}

std::optional<std::uint64_t> Conscience::pick_for_write() {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - refreshed_ >= options_.refresh_interval) refresh_locked();
    std::uint64_t total = 0;
    for (const DriveScore& s : drives_) total += static_cast<std::uint64_t>(std::max(0, s.write_score));
    if (total == 0) return std::nullopt;
    std::uint64_t pick = random_() % total;
    for (const DriveScore& s : drives_) {
        const auto weight = static_cast<std::uint64_t>(std::max(0, s.write_score));
        if (pick < weight) return s.id;
        pick -= weight;
    }
    return std::nullopt;
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

std::vector<DriveScore> Conscience::scores() {
    std::lock_guard lock(mutex_);
    return drives_;
}

}  // namespace shoal::placement
