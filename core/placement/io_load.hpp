// The I/O load of the block device under a directory, from the kernel's
// per-device counters in /proc/diskstats ("milliseconds spent doing I/Os").
//
// load = the share of wall-clock time the device was busy between two
// samples, 0-100. A directory on a filesystem without a block device of its
// own (tmpfs, overlayfs, NFS: device major 0) has no such counter; its load
// is unknown and reads as 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace shoal::placement {

class IoLoad {
public:
    // `diskstats` is the counters file (tests hand in their own).
    explicit IoLoad(const std::filesystem::path& dir, std::filesystem::path diskstats = "/proc/diskstats");

    // Reads the counters; returns the load since the previous sample (0 for
    // the first one, or when the device is unknown).
    int sample(std::chrono::steady_clock::time_point now);

    bool known() const { return device_major_ != 0; }
    const std::string& device() const { return device_name_; }  // e.g. "sda1"; empty until seen

private:
    std::optional<std::uint64_t> busy_ms();  // the device's counter, if found

    std::filesystem::path diskstats_;
    unsigned device_major_ = 0;
    unsigned device_minor_ = 0;
    std::string device_name_;
    std::optional<std::uint64_t> last_busy_ms_;
    std::chrono::steady_clock::time_point last_sample_{};
};

}  // namespace shoal::placement
