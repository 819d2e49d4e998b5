#include "tests/bench/s3bench/process_cpu.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace shoal::bench {

double own_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<double> cpu_seconds_of(const std::vector<pid_t>& pids) {
    static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double total = 0;
    for (const pid_t pid : pids) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // "pid (comm) state ppid ...": fields counted after the command's ')'.
        const std::size_t close = stat.rfind(')');
        if (close == std::string::npos || close + 2 > stat.size()) return std::nullopt;
        std::istringstream fields(stat.substr(close + 2));
        std::string field;
        unsigned long long utime = 0;
        unsigned long long stime = 0;
        // Field 3 (state) is the first here; utime and stime are fields 14 and 15.
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i == 14) utime = std::stoull(field);
            if (i == 15) stime = std::stoull(field);
        }
        total += static_cast<double>(utime + stime) / ticks;
    }
    return total;
}

}  // namespace shoal::bench
