#include "core/placement/io_load.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace shoal::placement {

IoLoad::IoLoad(const std::filesystem::path& dir, std::filesystem::path diskstats) : diskstats_(std::move(diskstats)) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        device_major_ = major(st.st_dev);
        device_minor_ = minor(st.st_dev);
    }
}

std::optional<std::uint64_t> IoLoad::busy_ms() {
    if (!known()) return std::nullopt;
    std::ifstream in(diskstats_);
    std::string line;
    while (std::getline(in, line)) {
        // major minor name reads merged sectors ms writes merged sectors ms in-flight io-ms ...
        std::istringstream fields(line);
        unsigned major_number = 0;
        unsigned minor_number = 0;
        std::string name;
        if (!(fields >> major_number >> minor_number >> name)) continue;
        if (major_number != device_major_ || minor_number != device_minor_) continue;
        std::uint64_t value = 0;
        for (int i = 0; i < 10; ++i) {
            if (!(fields >> value)) return std::nullopt;
        }
        device_name_ = name;
        return value;  // the tenth counter: milliseconds spent doing I/Os
    }
    return std::nullopt;
}

int IoLoad::sample(std::chrono::steady_clock::time_point now) {
    const std::optional<std::uint64_t> busy = busy_ms();
    int load = 0;
    if (busy && last_busy_ms_ && now > last_sample_ && *busy >= *last_busy_ms_) {
        const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_sample_).count();
        if (elapsed_ms > 0) {
            const std::uint64_t busy_delta = *busy - *last_busy_ms_;
            load = static_cast<int>(std::min<std::uint64_t>(100, busy_delta * 100 / static_cast<std::uint64_t>(elapsed_ms)));
        }
    }
    last_busy_ms_ = busy;
    last_sample_ = now;
    return load;
}

}  // namespace shoal::placement
