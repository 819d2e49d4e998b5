#include "firmware/config.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include <asio/ip/address.hpp>
#include <toml++/toml.h>

namespace shoal::firmware {
namespace {

// Each setting parses its own text form. Values arrive as a list of strings:
// one element for scalars; list settings (storage.drives) take several.
using Values = std::vector<std::string>;
// Returns an empty string on success, else what was expected.
using Apply = std::string (*)(Config&, const Values&);

enum class Kind { string, integer, duration, list };

struct Setting {
    std::string_view key;
    Kind kind;
    std::string_view default_text;
    std::string_view help;
    Apply apply;
};

std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n > max) return std::nullopt;
    return n;
}

// "250ms", "10s", "5m", "1h"
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const auto number = parse_uint(text.substr(0, digits), 1'000'000'000);
    if (!number) return std::nullopt;
    const std::string_view unit = text.substr(digits);
    std::uint64_t ms_per_unit = 0;
    if (unit == "ms") ms_per_unit = 1;
    else if (unit == "s") ms_per_unit = 1000;
    else if (unit == "m") ms_per_unit = 60'000;
    else if (unit == "h") ms_per_unit = 3'600'000;
    else if (unit == "d") ms_per_unit = 86'400'000;
    else return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*number * ms_per_unit));
}

std::string apply_address(Config& c, const Values& v) {
    constexpr std::string_view expected = "HOST:PORT with a numeric IP address, e.g. 0.0.0.0:9000 or [::1]:9000";
    const std::string_view text = v.at(0);
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::string(expected);
    std::string_view host = text.substr(0, colon);
    const auto port = parse_uint(text.substr(colon + 1), 65535);
    if (!port) return std::string(expected);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    if (host == "localhost") host = "127.0.0.1";
    asio::error_code ec;
    const auto address = asio::ip::make_address(std::string(host), ec);
    if (ec) return std::string(expected);
    c.listen_host = address.to_string();
    c.listen_port = static_cast<std::uint16_t>(*port);
    return {};
}

std::string apply_tls(Config& c, const Values& v) {
    if (v.at(0) == "off") c.tls = TlsMode::off;
    else if (v.at(0) == "on") c.tls = TlsMode::on;
    else if (v.at(0) == "auto") c.tls = TlsMode::automatic;
    else return "auto, on or off";
    return {};
}

std::string apply_plain_http(Config& c, const Values& v) {
    if (v.at(0) == "on") c.plain_http = true;
    else if (v.at(0) == "off") c.plain_http = false;
    else return "on or off";
    return {};
}

template <std::filesystem::path Config::*field>
std::string apply_path(Config& c, const Values& v) {
    if (v.at(0).find('\0') != std::string::npos) return "a file path";
    c.*field = v.at(0);
    return {};
}

std::string apply_threads(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), 256);
    if (!n) return "an integer from 0 (one per CPU) to 256";
    c.threads = static_cast<std::size_t>(*n);
    return {};
}

std::string apply_max_connections(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), 1'000'000);
    if (!n || *n == 0) return "an integer from 1 to 1000000";
    c.max_connections = static_cast<std::size_t>(*n);
    return {};
}

template <std::chrono::milliseconds Config::*field>
std::string apply_duration(Config& c, const Values& v) {
    const auto d = parse_duration(v.at(0));
    if (!d || d->count() == 0) return "a positive duration such as 500ms, 10s, 5m, 1h or 7d";
    c.*field = *d;
    return {};
}

std::string apply_drives(Config& c, const Values& v) {
    if (v.empty()) return "at least one directory";
    std::vector<std::filesystem::path> drives;
    for (const std::string& d : v) {
        if (d.empty() || d.find('\0') != std::string::npos) return "non-empty directory paths";
        drives.emplace_back(d);
    }
    c.drives = std::move(drives);
    return {};
}

std::string apply_metadata_dir(Config& c, const Values& v) {
    // (A NUL would silently cut the path short when the directory is opened.)
    if (v.at(0).find('\0') != std::string::npos) return "a directory path";
    c.metadata_dir = v.at(0);
    return {};
}

std::string apply_metadata_map_size(Config& c, const Values& v) {
    // A multiple of 64 KiB is a whole number of pages on every kernel we run
    // on (4, 16 or 64 KiB pages). At 8 MiB, half the map is the 4 MiB kept
    // for deletes (core/meta/capacity.hpp); less would leave next to nothing.
    constexpr std::uint64_t kMin = std::uint64_t{8} << 20;
    constexpr std::uint64_t kMax = std::uint64_t{16} << 40;
    const auto n = parse_uint(v.at(0), kMax);
    if (!n || (*n != 0 && (*n < kMin || *n % (64u << 10) != 0))) {
        return "0 (the default) or a multiple of 65536 bytes from 8388608 (8 MiB) to 17592186044416 (16 TiB)";
    }
    c.metadata_map_size = *n;
    return {};
}

std::string apply_inline_threshold(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), 256 * 1024);
    if (!n) return "a number of bytes from 0 to 262144";
    c.inline_threshold = *n;
    return {};
}

std::string apply_chunk_size(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), 256u << 20);
    if (!n || *n < (64u << 10)) return "a number of bytes from 65536 to 268435456";
    c.chunk_size = *n;
    return {};
}

std::string apply_ec_segment_size(Config& c, const Values& v) {
    // Small segments pad more (each fragment is rounded up to the codec's
    // alignment) and cost more calls; large ones cost memory per request.
    const auto n = parse_uint(v.at(0), 16u << 20);
    if (!n || *n < 4096) return "a number of bytes from 4096 to 16777216";
    c.ec_segment_size = static_cast<std::uint32_t>(*n);
    return {};
}

std::string apply_small_object_policy(Config& c, const Values& v) {
    if (v.at(0).empty()) {
        c.small_object_policy.reset();
        return {};
    }
    const auto policy = ec::StoragePolicy::parse(v.at(0));
    if (!policy) return "\"\" (no size rule) or a storage policy such as THREECOPIES (docs/data-protection.md)";
    c.small_object_policy = *policy;
    return {};
}

std::string apply_small_object_size(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), std::uint64_t{5} << 30);
    if (!n) return "a number of bytes from 0 to 5368709120";
    c.small_object_size = *n;
    return {};
}

std::string apply_repair(Config& c, const Values& v) {
    if (v.at(0) == "on") {
        c.repair = true;
    } else if (v.at(0) == "off") {
        c.repair = false;
    } else {
        return "on or off";
    }
    return {};
}

// Bytes per second, 0 meaning the documented default (off, or no limit).
template <std::uint64_t Config::*field>
std::string apply_rate(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), std::uint64_t{1} << 40);
    if (!n) return "a number of bytes per second (0 to 1099511627776)";
    c.*field = *n;
    return {};
}

std::string apply_region(Config& c, const Values& v) {
    const std::string& region = v.at(0);
    if (region.empty() || region.size() > 64 ||
        region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
        return "a region name of lowercase letters, digits and '-'";
    }
    c.region = region;
    return {};
}

std::string apply_default_policy(Config& c, const Values& v) {
    const auto policy = ec::StoragePolicy::parse(v.at(0));
    if (!policy) return "a storage policy: SINGLE, TWOCOPIES, THREECOPIES, COPIES<n>, EC<k>+<m> (docs/data-protection.md)";
    c.default_policy = *policy;
    return {};
}

std::string apply_domains(Config& c, const Values& v) {
    std::vector<std::string> domains;
    for (const std::string& d : v) {
        const bool bad_char = std::any_of(d.begin(), d.end(), [](char ch) {
            const auto b = static_cast<unsigned char>(ch);
            return b <= 0x20 || b == 0x7f || b == '/' || b == ':';
        });
        if (d.empty() || bad_char) return "host names such as s3.example.com";
        domains.push_back(d);
    }
    c.domains = std::move(domains);
    return {};
}

std::string apply_min_part_size(Config& c, const Values& v) {
    const auto n = parse_uint(v.at(0), 5u << 30);
    if (!n || *n == 0) return "a number of bytes from 1 to 5368709120";
    c.min_part_size = *n;
    return {};
}

std::string apply_log_level(Config& c, const Values& v) {
    const auto level = log::parse_level(v.at(0));
    if (!level) return "one of debug, info, warn, error";
    c.log_level = *level;
    return {};
}

std::string apply_log_format(Config& c, const Values& v) {
    const auto format = log::parse_format(v.at(0));
    if (!format) return "one of text, json";
    c.log_format = *format;
    return {};
}

constexpr Setting kSettings[] = {
    {"server.address", Kind::string, "0.0.0.0:9000", "address and port to serve S3 on (port 0: any free port)",
     apply_address},
    {"server.tls", Kind::string, "auto",
     "HTTPS on the server port: auto (self-signed certificate generated if none), on (certificate required), off",
     apply_tls},
    {"server.http", Kind::string, "on", "off: plain HTTP requests are refused (HTTPS only; needs server.tls)",
     apply_plain_http},
    {"server.tls_cert", Kind::string, "\"\" (<first drive>/certs/public.crt)",
     "PEM certificate (then intermediates) for HTTPS; reloaded when it changes", apply_path<&Config::tls_certificate>},
    {"server.tls_key", Kind::string, "\"\" (<first drive>/certs/private.key)",
     "PEM private key of server.tls_cert; reloaded when it changes", apply_path<&Config::tls_key>},
    {"server.threads", Kind::integer, "0", "event-loop threads; 0 = one per CPU", apply_threads},
    {"server.max_connections", Kind::integer, "1024", "open client connections at most; more are refused with 503",
     apply_max_connections},
    {"server.header_timeout", Kind::duration, "10s", "a request head must arrive whole within this",
     apply_duration<&Config::header_timeout>},
    {"server.idle_timeout", Kind::duration, "60s", "an idle keep-alive connection is closed after this",
     apply_duration<&Config::idle_timeout>},
    {"server.body_timeout", Kind::duration, "60s", "a request body that sends nothing for this long is dropped",
     apply_duration<&Config::body_timeout>},
    {"server.shutdown_grace", Kind::duration, "10s", "on SIGTERM, time given to requests in flight",
     apply_duration<&Config::shutdown_grace>},
    {"storage.drives", Kind::list, "[\"shoal-data\"]",
     "data directories, one per drive (created if missing; env: comma-separated)", apply_drives},
    {"storage.metadata_dir", Kind::string, "\"\" (<first drive>/meta)",
     "where the metadata database lives (put it on the fastest device)", apply_metadata_dir},
    {"storage.metadata_map_size", Kind::integer, "0 (64 GiB; 1 GiB on 32-bit)",
     "bytes of address space reserved for the metadata database: its size limit (docs/capacity.md)",
     apply_metadata_map_size},
    {"storage.inline_threshold", Kind::integer, "4096", "objects of at most this many bytes are kept in metadata",
     apply_inline_threshold},
    {"storage.chunk_size", Kind::integer, "8388608", "bytes of object data per chunk file", apply_chunk_size},
    {"storage.default_policy", Kind::string, "SINGLE",
     "how chunked objects are protected unless a request names another policy (docs/data-protection.md)",
     apply_default_policy},
    {"storage.ec_segment_size", Kind::integer, "1048576",
     "erasure coding: content bytes encoded together; memory per request is about this times (k + m) / k",
     apply_ec_segment_size},
    {"storage.small_object_policy", Kind::string, "\"\"",
     "policy for objects of at most storage.small_object_size bytes that would be erasure coded (\"\": none)",
     apply_small_object_policy},
    {"storage.small_object_size", Kind::integer, "1048576", "the size rule's threshold (storage.small_object_policy)",
     apply_small_object_size},
    {"storage.repair", Kind::string, "on",
     "off: damaged or lost chunks are only logged, not repaired, scrubbed or rebuilt (maintenance windows)",
     apply_repair},
    {"storage.scrub_rate", Kind::integer, "8388608",
     "bytes per second the scrubber reads to check every chunk (0: no scrubbing)",
     apply_rate<&Config::scrub_rate>},
    {"storage.scrub_interval", Kind::duration, "7d", "from the start of one scrub pass to the next",
     apply_duration<&Config::scrub_interval>},
    {"storage.rebuild_rate", Kind::integer, "0",
     "bytes per second a rebuild reads to restore a lost drive's chunks (0: as fast as the drives go)",
     apply_rate<&Config::rebuild_rate>},
    {"s3.region", Kind::string, "us-east-1", "the region this node reports and expects in signatures", apply_region},
    {"s3.domains", Kind::list, "[]", "domains for virtual-hosted-style requests (bucket.DOMAIN)", apply_domains},
    {"s3.min_part_size", Kind::integer, "5242880",
     "smallest multipart part but the last (S3: 5 MiB; lower only for tests)", apply_min_part_size},
    {"s3.keepalive_interval", Kind::duration, "5s",
     "a copy still working after this long answers 200 at once, then sends a space this often until its result",
     apply_duration<&Config::keepalive_interval>},
    {"log.level", Kind::string, "info", "debug, info, warn or error", apply_log_level},
    {"log.format", Kind::string, "text", "text (human) or json (one object per line)", apply_log_format},
};

const Setting* find_setting(std::string_view key) {
    for (const Setting& s : kSettings) {
        if (s.key == key) return &s;
    }
    return nullptr;
}

std::string quoted(const Values& values) {
    std::string out;
    for (const std::string& v : values) {
        if (!out.empty()) out += ", ";
        out += '"' + v + '"';
    }
    return out;
}

void apply(Config& config, const Setting& setting, const Values& values, const std::string& origin) {
    const std::string expected = setting.apply(config, values);
    if (!expected.empty()) {
        throw ConfigError(std::string(setting.key) + ": expected " + expected + ", got " + quoted(values) +
                          " (" + origin + ")");
    }
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("config file " + path.string() + ": cannot read: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Turns one TOML value into the text form the setting parses, checking its TOML type.
std::optional<Values> toml_values(const Setting& setting, const toml::node& node) {
    switch (setting.kind) {
        case Kind::string:
        case Kind::duration:
            if (const auto* s = node.as_string()) return Values{s->get()};
            return std::nullopt;
        case Kind::integer:
            if (const auto* i = node.as_integer()) return Values{std::to_string(i->get())};
            return std::nullopt;
        case Kind::list: {
            const auto* array = node.as_array();
            if (array == nullptr) return std::nullopt;
            Values values;
            for (const toml::node& element : *array) {
                const auto* s = element.as_string();
                if (s == nullptr) return std::nullopt;
                values.push_back(s->get());
            }
            return values;
        }
    }
    return std::nullopt;
}

std::string_view toml_type_wanted(Kind kind) {
    switch (kind) {
        case Kind::string: return "a string";
        case Kind::duration: return "a duration string such as \"10s\"";
        case Kind::integer: return "an integer";
        case Kind::list: return "an array of strings";
    }
    return "";
}

Values split_list(std::string_view text) {
    Values values;
    while (true) {
        const std::size_t comma = text.find(',');
        values.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return values;
}

}  // namespace

void apply_config_toml(Config& config, std::string_view toml_text, const std::string& source_name) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        throw ConfigError("config file " + source_name + " line " + std::to_string(e.source().begin.line) + ": " +
                          std::string(e.description()));
    }
    for (const auto& [section, section_node] : root) {
        const auto* table = section_node.as_table();
        const auto where = [&](const toml::node& n) {
            return "config file " + source_name + " line " + std::to_string(n.source().begin.line);
        };
        if (table == nullptr) {
            throw ConfigError(std::string(section.str()) + ": unknown key (" + where(section_node) + ")");
        }
        for (const auto& [name, node] : *table) {
            const std::string key = std::string(section.str()) + "." + std::string(name.str());
            const Setting* setting = find_setting(key);
            if (setting == nullptr) throw ConfigError(key + ": unknown key (" + where(node) + ")");
            const auto values = toml_values(*setting, node);
            if (!values) {
                throw ConfigError(key + ": expected " + std::string(toml_type_wanted(setting->kind)) + " (" +
                                  where(node) + ")");
            }
            apply(config, *setting, *values, where(node));
        }
    }
}

std::string environment_name(std::string_view key) {
    std::string name = "SHOAL_";
    for (char c : key) {
        if (c == '.') name += '_';
        else if (c >= 'a' && c <= 'z') name += static_cast<char>(c - 'a' + 'A');
        else name += c;
    }
    return name;
}

LoadedConfig load_config(const ConfigSources& sources) {
    LoadedConfig loaded;
    Config& config = loaded.config;

    if (sources.file) apply_config_toml(config, read_file(*sources.file), sources.file->string());

    // Variables that are not settings but that shoald reads elsewhere.
    constexpr std::string_view kOtherVariables[] = {"SHOAL_CONFIG", "SHOAL_ROOT_USER", "SHOAL_ROOT_PASSWORD",
                                                    "SHOAL_ROOT_USER_FILE", "SHOAL_ROOT_PASSWORD_FILE"};
    for (const auto& [name, value] : sources.environment) {
        if (name.rfind("SHOAL_", 0) != 0) continue;
        const Setting* match = nullptr;
        for (const Setting& s : kSettings) {
            if (environment_name(s.key) == name) match = &s;
        }
        if (match != nullptr) {
            const Values values = match->kind == Kind::list ? split_list(value) : Values{value};
            apply(config, *match, values, "environment variable " + name);
        } else if (std::find(std::begin(kOtherVariables), std::end(kOtherVariables), name) ==
                   std::end(kOtherVariables)) {
            loaded.warnings.push_back("unknown environment variable " + name + " ignored");
        }
    }

    // Flags: repeated list flags (positional directories) accumulate.
    std::map<std::string, Values> lists;
    for (const auto& [key, value] : sources.flags) {
        const Setting* setting = find_setting(key);
        if (setting == nullptr) throw ConfigError(key + ": unknown setting (command line)");
        if (setting->kind == Kind::list) {
            lists[key].push_back(value);
        } else {
            apply(config, *setting, Values{value}, "command line");
        }
    }
    for (const auto& [key, values] : lists) apply(config, *find_setting(key), values, "command line");

    // Settings that only make sense together.
    if (!config.plain_http && config.tls == TlsMode::off) {
        throw ConfigError("server.http: off needs server.tls auto or on (nothing would be served)");
    }
    if (config.tls_certificate.empty() != config.tls_key.empty()) {
        throw ConfigError("server.tls_cert and server.tls_key: set both or neither");
    }
    return loaded;
}

std::string describe_settings() {
    std::string out;
    for (const Setting& s : kSettings) {
        std::string line = "  " + std::string(s.key);
        line.resize(std::max<std::size_t>(line.size() + 1, 26), ' ');
        line += environment_name(s.key);
        line.resize(std::max<std::size_t>(line.size() + 1, 56), ' ');
        line += "default " + std::string(s.default_text) + "\n      " + std::string(s.help) + "\n";
        out += line;
    }
    return out;
}

}  // namespace shoal::firmware
