// The shoald command line: which command to run and the settings given as flags.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace shoal::firmware {

enum class Command { server, admin, version, help };

struct CommandLine {
    Command command = Command::help;
    std::optional<std::string> config_file;                  // --config FILE
    std::vector<std::pair<std::string, std::string>> flags;  // setting key -> value
    std::vector<std::string> admin_args;                     // after "admin" (admin_command.hpp parses them)
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// argv without the program name. Throws UsageError.
CommandLine parse_command_line(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace shoal::firmware
