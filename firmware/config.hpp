// shoald's configuration: defaults, overridden by a TOML file, then by SHOAL_*
// environment variables, then by command-line flags (each layer wins over the
// ones before it). Every value is validated; an error names the setting's key
// and where the bad value came from. docs/configuration.md lists every key.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ec/storage_policy.hpp"
#include "core/log/logger.hpp"

namespace shoal::firmware {

// HTTPS on the S3 port (docs/tls.md): off; auto (the certificate pair, else
// a self-signed one generated at start); on (the pair must exist).
enum class TlsMode { off, on, automatic };

struct Config {
    // [server]
    std::string listen_host = "0.0.0.0";  // numeric IPv4/IPv6 address
    std::uint16_t listen_port = 9000;
    std::size_t threads = 0;  // event loops; 0 = one per CPU
    std::size_t max_connections = 1024;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds body_timeout{60'000};
    std::chrono::milliseconds shutdown_grace{10'000};
    TlsMode tls = TlsMode::automatic;
    bool plain_http = true;                // plain HTTP served on the port besides TLS
    std::filesystem::path tls_certificate;  // empty (with tls_key): <first drive>/certs/public.crt
    std::filesystem::path tls_key;          // empty: <first drive>/certs/private.key
    // [storage]
    std::vector<std::filesystem::path> drives{"shoal-data"};
    std::filesystem::path metadata_dir;  // empty: <first drive>/meta
    std::uint64_t metadata_map_size = 0;  // bytes; 0: the store's default for this architecture
    std::uint64_t inline_threshold = 4096;
    std::uint64_t chunk_size = 8u << 20;
    ec::StoragePolicy default_policy;  // SINGLE
    std::uint32_t ec_segment_size = 1u << 20;
    std::optional<ec::StoragePolicy> small_object_policy;  // none: no size rule
    std::uint64_t small_object_size = 1u << 20;
    bool repair = true;                   // repairs, scrub and rebuilds run
    std::uint64_t scrub_rate = 8u << 20;  // bytes per second; 0: no scrub
    std::chrono::milliseconds scrub_interval{std::chrono::hours(24 * 7)};
    std::uint64_t rebuild_rate = 0;       // bytes per second; 0: no limit
    // [s3]
    std::string region = "us-east-1";
    std::vector<std::string> domains;  // virtual-hosted-style bucket addressing
    std::uint64_t min_part_size = 5u << 20;
    std::chrono::milliseconds keepalive_interval{5000};  // long copies: whitespace this often
    // [log]
    log::Level log_level = log::Level::info;
    log::Format log_format = log::Format::text;
};

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Where values come from, gathered by main(); the loader itself touches no
// global state, so tests hand it whatever they like.
struct ConfigSources {
    std::optional<std::filesystem::path> file;                 // --config, else SHOAL_CONFIG
    std::map<std::string, std::string> environment;            // every variable; SHOAL_* are read
    std::vector<std::pair<std::string, std::string>> flags;    // setting key -> value, in order
};

struct LoadedConfig {
    Config config;
    std::vector<std::string> warnings;  // e.g. unknown SHOAL_* variables, logged by the caller
};

// Throws ConfigError.
LoadedConfig load_config(const ConfigSources& sources);

// Applies the settings of a TOML document (a config file's text) over `config`;
// errors say "config file <source_name> line N". load_config() uses it for
// the file; tests and the fuzzer call it on text in memory. Throws ConfigError.
void apply_config_toml(Config& config, std::string_view toml_text, const std::string& source_name);

// "server.threads" -> "SHOAL_SERVER_THREADS"
std::string environment_name(std::string_view key);

// One line per setting: key, environment variable, default and meaning (for --help and docs).
std::string describe_settings();

}  // namespace shoal::firmware
