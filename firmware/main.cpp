// shoald: the Shoal daemon. main() only gathers the command line and the
// environment, sets up the process (signals, malloc, logging) and hands over
// to the command.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "core/log/logger.hpp"
#include "firmware/cli.hpp"
#include "firmware/config.hpp"
#include "firmware/credentials.hpp"
#include "firmware/admin_command.hpp"
#include "firmware/server_command.hpp"
#include "firmware/version.hpp"

extern char** environ;

namespace {

constexpr int kExitUsage = 2;

std::map<std::string, std::string> read_environment() {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const auto eq = entry.find('=');
        if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return env;
}

// Blocks SIGINT/SIGTERM before any thread exists, so every thread inherits the
// mask and the main thread alone receives them with sigwait().
void prepare_process() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a vanished client must not kill the daemon
    // glibc creates up to 8 malloc arenas per core; on small boards each
    // costs resident memory for little gain.
    mallopt(M_ARENA_MAX, 2);
}

// Every client connection is a file descriptor: a soft limit below the hard
// one (often 1024) would refuse clients long before server.max_connections.
// Returns the soft limit now in force.
rlim_t raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        const rlim_t before = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return before;
    }
    return limit.rlim_cur;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace shoal::firmware;
    const std::vector<std::string> args(argv + 1, argv + argc);

    CommandLine line;
    try {
        line = parse_command_line(args);
    } catch (const UsageError& e) {
        std::cerr << "shoald: " << e.what() << "\nRun 'shoald --help' for usage.\n";
        return kExitUsage;
    }

    switch (line.command) {
        case Command::help:
            std::cout << usage_text();
            return 0;
        case Command::version:
            std::cout << version_text();
            return 0;
        case Command::admin:
            return run_admin(line.admin_args, read_environment());
        case Command::server:
            break;
    }

    ConfigSources sources;
    sources.environment = read_environment();
    sources.flags = line.flags;
    if (line.config_file) {
        sources.file = *line.config_file;
    } else if (auto it = sources.environment.find("SHOAL_CONFIG"); it != sources.environment.end()) {
        sources.file = it->second;
    }

    LoadedConfig loaded;
    std::optional<RootCredentials> root;
    try {
        loaded = load_config(sources);
        root = root_credentials_from_environment(sources.environment);
    } catch (const ConfigError& e) {
        std::cerr << "shoald: configuration error: " << e.what() << "\n";
        return kExitUsage;
    }

    prepare_process();
    shoal::log::Logger log(std::cerr, loaded.config.log_level, loaded.config.log_format);
    for (const std::string& warning : loaded.warnings) log.warn(warning);
    const rlim_t open_files = raise_open_file_limit();
    if (open_files != RLIM_INFINITY && open_files < loaded.config.max_connections + 64) {
        log.warn("open file limit below server.max_connections: clients will be refused before it",
                 {{"limit", static_cast<std::uint64_t>(open_files)},
                  {"max_connections", loaded.config.max_connections}});
    }
    try {
        return run_server(loaded.config, std::move(root), log);
    } catch (const std::exception& e) {
        log.error("shoald failed", {{"error", e.what()}});
        return 1;
    }
}
