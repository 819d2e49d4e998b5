// CPU time used by processes: this one (getrusage), or others on this
// machine by pid (/proc/PID/stat), so a run can say what the server spent.
#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

namespace shoal::bench {

// User + system seconds of this process, all threads.
double own_cpu_seconds();

// User + system seconds of the processes `pids` (all their threads), summed;
// nullopt if one of them cannot be read.
std::optional<double> cpu_seconds_of(const std::vector<pid_t>& pids);

}  // namespace shoal::bench
