#include "firmware/credentials.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/runtime/durable_file.hpp"
#include "core/runtime/secure_random.hpp"
#include "firmware/config.hpp"

namespace shoal::firmware {
namespace {

std::string trim_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

std::optional<std::string> value_of(const std::map<std::string, std::string>& env, const std::string& name) {
    const auto direct = env.find(name);
    const auto file = env.find(name + "_FILE");
    if (direct != env.end() && file != env.end()) {
        throw ConfigError(name + ": set either " + name + " or " + name + "_FILE, not both");
    }
    if (direct != env.end()) return direct->second;
    if (file == env.end()) return std::nullopt;
    std::ifstream in(file->second, std::ios::binary);
    if (!in) throw ConfigError(name + "_FILE: cannot read " + file->second + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return trim_newlines(text.str());
}

void check(const std::string& access_key, const std::string& secret_key, const std::string& origin) {
    if (access_key.size() < 3 || access_key.size() > 128 ||
        access_key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            std::string::npos) {
        throw ConfigError("SHOAL_ROOT_USER: expected 3 to 128 characters of A-Z a-z 0-9 . _ - (" + origin + ")");
    }
    if (secret_key.size() < 8 || secret_key.size() > 256) {
        throw ConfigError("SHOAL_ROOT_PASSWORD: expected 8 to 256 characters (" + origin + ")");
    }
}

// Writes all of `text` to `fd`; false if it could not.
bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::optional<RootCredentials> root_credentials_from_environment(const std::map<std::string, std::string>& env) {
    const auto user = value_of(env, "SHOAL_ROOT_USER");
    const auto password = value_of(env, "SHOAL_ROOT_PASSWORD");
    if (!user && !password) return std::nullopt;
    if (!user || !password) throw ConfigError("SHOAL_ROOT_USER and SHOAL_ROOT_PASSWORD must be set together");
    check(*user, *password, "environment");
    return RootCredentials{*user, *password, RootCredentials::Source::environment};
}

std::optional<RootCredentials> read_stored_root_credentials(const std::filesystem::path& drive) {
    const std::filesystem::path file = drive / kRootCredentialsFile;
    std::ifstream in(file);
    if (!in) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
    }
    RootCredentials stored;
    std::getline(in, stored.access_key);
    std::getline(in, stored.secret_key);
    stored.source = RootCredentials::Source::stored;
    try {
        check(stored.access_key, stored.secret_key, file.string());
    } catch (const ConfigError& e) {
        throw std::runtime_error("root credentials file " + file.string() + " is damaged: " + e.what());
    }
    return stored;
}

RootCredentials load_or_create_root_credentials(const std::filesystem::path& drive) {
    const std::filesystem::path file = drive / kRootCredentialsFile;
    if (auto stored = read_stored_root_credentials(drive)) return *stored;

    RootCredentials made;
    made.access_key = runtime::secure_random_text(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    made.secret_key = runtime::secure_random_text(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    made.source = RootCredentials::Source::generated;
    runtime::write_file_durably(file, made.access_key + "\n" + made.secret_key + "\n", 0600);
    return made;
}

void announce_generated_root_credentials(const RootCredentials& root, const std::filesystem::path& file,
                                         log::Logger& log, int terminal_fd) {
    bool shown = false;
    if (isatty(terminal_fd) == 1) {
        shown = write_all(terminal_fd, "\nshoald: root credentials generated for this node, shown only now (kept in " +
                                           file.string() + ", mode 0600):\n  access key: " + root.access_key +
                                           "\n  secret key: " + root.secret_key + "\n\n");
    }
    log.warn("generated root credentials: the secret is kept in the file only",
             {{"file", file.string()}, {"shown_on_terminal", shown}});
}

}  // namespace shoal::firmware
