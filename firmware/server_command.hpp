// `shoald server`: opens the drives, starts the event loops and the HTTP
// server, and runs until SIGINT or SIGTERM, then drains and exits.
#pragma once

#include "core/log/logger.hpp"
#include "firmware/config.hpp"

namespace shoal::firmware {

// Returns the process exit status. SIGINT and SIGTERM must already be blocked
// in every thread (main() does it before anything starts a thread).
int run_server(const Config& config, log::Logger& log);

}  // namespace shoal::firmware
