#include "firmware/cli.hpp"

#include "firmware/admin_command.hpp"
#include "firmware/config.hpp"

namespace shoal::firmware {
namespace {

struct FlagSpec {
    std::string_view flag;
    std::string_view key;  // setting key, or "" for --config
};

constexpr FlagSpec kServerFlags[] = {
    {"--config", ""},
    {"--address", "server.address"},
    {"--threads", "server.threads"},
    {"--tls", "server.tls"},
    {"--log-level", "log.level"},
    {"--log-format", "log.format"},
};

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args) {
    CommandLine line;
    if (args.empty()) return line;  // help
    const std::string& verb = args[0];
    if (verb == "--help" || verb == "-h" || verb == "help") return line;
    if (verb == "version" || verb == "--version") {
        if (args.size() > 1) throw UsageError("'version' takes no arguments");
        line.command = Command::version;
        return line;
    }
    if (verb == "admin" || verb == "key") {
        // `shoald key ...` is short for `shoald admin key ...`.
        line.command = Command::admin;
        line.admin_args.assign(args.begin() + (verb == "key" ? 0 : 1), args.end());
        return line;
    }
    if (verb != "server") throw UsageError("unknown command '" + verb + "'");

    line.command = Command::server;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            line.command = Command::help;
            return line;
        }
        if (arg.rfind("--", 0) != 0) {
            line.flags.emplace_back("storage.drives", arg);  // DIR...
            continue;
        }
        // --flag VALUE or --flag=VALUE
        std::string name = arg;
        std::optional<std::string> value;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        }
        const FlagSpec* spec = nullptr;
        for (const FlagSpec& f : kServerFlags) {
            if (f.flag == name) spec = &f;
        }
        if (spec == nullptr) throw UsageError("unknown option '" + name + "'");
        if (!value) {
            if (i + 1 >= args.size()) throw UsageError("option '" + name + "' needs a value");
            value = args[++i];
        }
        if (spec->key.empty()) {
            line.config_file = *value;
        } else {
            line.flags.emplace_back(std::string(spec->key), *value);
        }
    }
    return line;
}

std::string usage_text() {
    return "Shoal: S3-compatible object storage for the edge.\n"
           "\n"
           "Usage:\n"
           "  shoald server [OPTIONS] [DIR...]   serve S3, storing data in DIR... (one per drive)\n"
           "  shoald version                    print version, revision, target and build type\n" +
           admin_usage_text() +
           "  shoald --help                     print this help\n"
           "\n"
           "Server options (each also settable in the config file or environment):\n"
           "  --config FILE          TOML configuration file (env SHOAL_CONFIG)\n"
           "  --address HOST:PORT    listen address (server.address)\n"
           "  --threads N            event-loop threads, 0 = one per CPU (server.threads)\n"
           "  --tls MODE             HTTPS on the server port: auto, on, off (server.tls)\n"
           "  --log-level LEVEL      debug, info, warn, error (log.level)\n"
           "  --log-format FORMAT    text or json (log.format)\n"
           "\n"
           "Precedence: flags > SHOAL_* environment > config file > defaults.\n"
           "\n"
           "Settings (config key, environment variable, default):\n" +
           describe_settings() +
           "\n"
           "Exit status: 0 after a clean shutdown (SIGINT/SIGTERM), 1 on a runtime failure,\n"
           "2 on a usage or configuration error.\n";
}

}  // namespace shoal::firmware
