// `shoald server`: opens the drives, starts the event loops and the HTTP
// server, and runs until SIGINT or SIGTERM, then drains and exits.
#pragma once

#include "core/log/logger.hpp"
#include "firmware/config.hpp"
#include "firmware/credentials.hpp"

namespace shoal::firmware {

// Returns the process exit status. SIGINT and SIGTERM must already be blocked
// in every thread (main() does it before anything starts a thread).
// `root` comes from the environment when set there, else from the first drive.
int run_server(const Config& config, std::optional<RootCredentials> root, log::Logger& log);

}  // namespace shoal::firmware
