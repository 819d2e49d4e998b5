// The root credentials: the access key pair with every right on the node.
//
// From SHOAL_ROOT_USER / SHOAL_ROOT_PASSWORD, or their _FILE variants naming
// files that hold them (for container and systemd secrets). With none set, the
// pair stored in "<first drive>/.shoal-root-credentials" (mode 0600) is used,
// and on the very first start that file is created with a random pair, which
// the caller announces once (announce_generated_root_credentials).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/log/logger.hpp"

namespace shoal::firmware {

struct RootCredentials {
    std::string access_key;
    std::string secret_key;
    enum class Source { environment, stored, generated } source = Source::environment;
};

// nullopt when no SHOAL_ROOT_* variable is set. Throws ConfigError when only
// one half is given, a file cannot be read, or a value breaks the rules
// (access key 3-128 characters of A-Z a-z 0-9 . _ -, secret at least 8).
std::optional<RootCredentials> root_credentials_from_environment(const std::map<std::string, std::string>& env);

// Reads the stored pair under `drive`; nullopt if there is none. Throws
// std::runtime_error naming the file when it cannot be read or is damaged.
std::optional<RootCredentials> read_stored_root_credentials(const std::filesystem::path& drive);

// Reads the stored pair under `drive`, creating it if absent. Throws
// std::runtime_error naming the file on failure.
RootCredentials load_or_create_root_credentials(const std::filesystem::path& drive);

// Tells the operator where a freshly generated pair is. The secret never
// goes to the log (journald and log shippers keep it): it is written once to
// `terminal_fd` when that is a terminal, and the log line names only the
// 0600 file that holds it.
void announce_generated_root_credentials(const RootCredentials& root, const std::filesystem::path& file,
                                         log::Logger& log, int terminal_fd);

inline constexpr const char* kRootCredentialsFile = ".shoal-root-credentials";
// Beside the metadata: the key that seals access keys' secrets (secret_box.hpp).
inline constexpr const char* kKeySealingFile = "keys.seal";

}  // namespace shoal::firmware
