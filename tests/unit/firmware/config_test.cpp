#include <catch2/catch.hpp>

#include "firmware/config.hpp"
#include "temp_dir.hpp"

using namespace shoal::firmware;
using shoal::testing::TempDir;
using Catch::Matchers::Contains;

namespace {

Config load(const ConfigSources& sources) { return load_config(sources).config; }

ConfigSources from_file(const TempDir& dir, const std::string& toml) {
    ConfigSources sources;
    sources.file = dir.write("shoal.toml", toml);
    return sources;
}

std::string error_of(const ConfigSources& sources) {
    try {
        load_config(sources);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("expected a ConfigError");
    return {};
}

}  // namespace

TEST_CASE("defaults describe the embedded single-node setup", "[config]") {
    const Config c = load({});
    CHECK(c.listen_host == "0.0.0.0");
    CHECK(c.listen_port == 9000);
    CHECK(c.threads == 0);
    REQUIRE(c.drives.size() == 1);
    CHECK(c.drives[0] == "shoal-data");
    CHECK(c.log_level == shoal::log::Level::info);
    CHECK(c.shutdown_grace == std::chrono::seconds(10));
}

TEST_CASE("a TOML file sets every kind of value", "[config]") {
    TempDir dir;
    const Config c = load(from_file(dir, R"(
[server]
address = "127.0.0.1:9100"
threads = 3
max_connections = 50
header_timeout = "250ms"
idle_timeout = "2m"
shutdown_grace = "1h"

[storage]
drives = ["/mnt/d1", "/mnt/d2"]

[log]
level = "debug"
format = "json"
)"));
    CHECK(c.listen_host == "127.0.0.1");
    CHECK(c.listen_port == 9100);
    CHECK(c.threads == 3);
    CHECK(c.max_connections == 50);
    CHECK(c.header_timeout == std::chrono::milliseconds(250));
    CHECK(c.idle_timeout == std::chrono::minutes(2));
    CHECK(c.shutdown_grace == std::chrono::hours(1));
    CHECK(c.drives == std::vector<std::filesystem::path>{"/mnt/d1", "/mnt/d2"});
    CHECK(c.log_level == shoal::log::Level::debug);
    CHECK(c.log_format == shoal::log::Format::json);
}

TEST_CASE("addresses accept IPv4, bracketed IPv6, bare ports and localhost", "[config]") {
    ConfigSources s;
    s.flags = {{"server.address", "[::1]:0"}};
    CHECK(load(s).listen_host == "::1");
    CHECK(load(s).listen_port == 0);
    s.flags = {{"server.address", ":9001"}};
    CHECK(load(s).listen_host == "0.0.0.0");
    s.flags = {{"server.address", "localhost:1"}};
    CHECK(load(s).listen_host == "127.0.0.1");
    for (const char* bad : {"9000", "host.example:9000", "1.2.3.4:65536", "1.2.3.4:", "1.2.3.4:x", "[::1:9000"}) {
        s.flags = {{"server.address", bad}};
        CHECK_THAT(error_of(s), Contains("server.address: expected HOST:PORT"));
    }
}

TEST_CASE("environment overrides the file, flags override the environment", "[config]") {
    TempDir dir;
    ConfigSources s = from_file(dir, "[server]\nthreads = 3\naddress = \"127.0.0.1:1\"\n[log]\nlevel = \"warn\"\n");
    s.environment = {{"SHOAL_SERVER_THREADS", "5"}, {"SHOAL_LOG_LEVEL", "error"}, {"PATH", "/bin"}};
    s.flags = {{"server.threads", "7"}};
    const Config c = load(s);
    CHECK(c.threads == 7);                            // flag
    CHECK(c.log_level == shoal::log::Level::error);  // environment
    CHECK(c.listen_port == 1);                        // file
}

TEST_CASE("list settings: comma-separated in the environment, repeated on the command line", "[config]") {
    ConfigSources s;
    s.environment = {{"SHOAL_STORAGE_DRIVES", "/a,/b"}};
    CHECK(load(s).drives == std::vector<std::filesystem::path>{"/a", "/b"});
    s.flags = {{"storage.drives", "/x"}, {"storage.drives", "/y"}, {"storage.drives", "/z"}};
    CHECK(load(s).drives == std::vector<std::filesystem::path>{"/x", "/y", "/z"});
    s.flags.clear();
    s.environment = {{"SHOAL_STORAGE_DRIVES", "/a,,/b"}};
    CHECK_THAT(error_of(s), Contains("storage.drives"));
}

TEST_CASE("bad values name the key, the value and where it came from", "[config]") {
    ConfigSources env;
    env.environment = {{"SHOAL_SERVER_THREADS", "many"}};
    CHECK_THAT(error_of(env), Contains("server.threads: expected an integer") && Contains("\"many\"") &&
                                  Contains("environment variable SHOAL_SERVER_THREADS"));

    env.environment = {{"SHOAL_SERVER_IDLE_TIMEOUT", "10"}};
    CHECK_THAT(error_of(env), Contains("server.idle_timeout: expected a positive duration"));
    env.environment = {{"SHOAL_SERVER_IDLE_TIMEOUT", "0s"}};
    CHECK_THAT(error_of(env), Contains("server.idle_timeout"));
    env.environment = {{"SHOAL_LOG_FORMAT", "xml"}};
    CHECK_THAT(error_of(env), Contains("log.format: expected one of text, json"));
    env.environment = {{"SHOAL_SERVER_MAX_CONNECTIONS", "0"}};
    CHECK_THAT(error_of(env), Contains("server.max_connections"));

    ConfigSources flag;
    flag.flags = {{"server.threads", "-1"}};
    CHECK_THAT(error_of(flag), Contains("server.threads") && Contains("command line"));
    flag.flags = {{"server.threads", "257"}};
    CHECK_THAT(error_of(flag), Contains("server.threads"));
}

TEST_CASE("bad config files name the key and the line", "[config]") {
    TempDir dir;
    CHECK_THAT(error_of(from_file(dir, "[server]\nthreads = \"4\"\n")),
               Contains("server.threads: expected an integer") && Contains("line 2"));
    CHECK_THAT(error_of(from_file(dir, "[server]\nthreads = -2\n")), Contains("server.threads"));
    CHECK_THAT(error_of(from_file(dir, "[server]\n\nadress = \"1.2.3.4:5\"\n")),
               Contains("server.adress: unknown key") && Contains("line 3"));
    CHECK_THAT(error_of(from_file(dir, "[storage]\ndrives = \"/d1\"\n")),
               Contains("storage.drives: expected an array of strings"));
    CHECK_THAT(error_of(from_file(dir, "[storage]\ndrives = [1, 2]\n")), Contains("storage.drives"));
    CHECK_THAT(error_of(from_file(dir, "threads = 4\n")), Contains("threads: unknown key"));
    CHECK_THAT(error_of(from_file(dir, "[nosuch]\nkey = 1\n")), Contains("nosuch.key: unknown key"));
    CHECK_THAT(error_of(from_file(dir, "[server\nthreads = 4\n")), Contains("line 1"));
    CHECK_THAT(error_of(from_file(dir, "[log]\nlevel = \"loud\"\n")), Contains("log.level: expected one of"));

    ConfigSources missing;
    missing.file = dir.path() / "absent.toml";
    CHECK_THAT(error_of(missing), Contains("absent.toml: cannot read"));
}

TEST_CASE("unknown SHOAL_ variables are reported as warnings, others ignored", "[config]") {
    ConfigSources s;
    s.environment = {{"SHOAL_SERVER_THREDS", "2"}, {"SHOAL_CONFIG", "/x"}, {"HOME", "/root"}};
    const LoadedConfig loaded = load_config(s);
    REQUIRE(loaded.warnings.size() == 1);
    CHECK_THAT(loaded.warnings[0], Contains("SHOAL_SERVER_THREDS"));
}

TEST_CASE("environment names derive from keys", "[config]") {
    CHECK(environment_name("server.max_connections") == "SHOAL_SERVER_MAX_CONNECTIONS");
    CHECK_THAT(describe_settings(), Contains("SHOAL_STORAGE_DRIVES"));
}

// Found by tests/fuzz/config_fuzzer: a control character ("\t", "\u0000") in
// a TOML string was accepted in a domain, and a NUL in a directory path (which
// is then opened cut short at the NUL).
TEST_CASE("paths and domains with a NUL or control characters are refused", "[config]") {
    Config c;
    CHECK_THROWS_AS(apply_config_toml(c, "[storage]\ndrives = [\"/mnt/d1\\u0000x\"]\n", "t"), ConfigError);
    CHECK_THROWS_AS(apply_config_toml(c, "[storage]\nmetadata_dir = \"/m\\u0000\"\n", "t"), ConfigError);
    CHECK_THROWS_AS(apply_config_toml(c, "[s3]\ndomains = [\"s3.local\\u0000\"]\n", "t"), ConfigError);
    CHECK_THROWS_AS(apply_config_toml(c, "[s3]\ndomains = [\"s3.lo\\tcal\"]\n", "t"), ConfigError);
    apply_config_toml(c, "[s3]\ndomains = [\"s3.local\"]\n", "t");
    CHECK(c.domains == std::vector<std::string>{"s3.local"});
}

TEST_CASE("TOML text applies from memory, errors naming the source", "[config]") {
    Config c;
    apply_config_toml(c, "[server]\nthreads = 2\n[s3]\nregion = \"eu-west-1\"\n", "inline.toml");
    CHECK(c.threads == 2);
    CHECK(c.region == "eu-west-1");
    CHECK(c.listen_port == 9000);  // untouched
    try {
        apply_config_toml(c, "[server]\n\nthreads = 999\n", "inline.toml");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.what(), Contains("server.threads") && Contains("config file inline.toml line 3"));
    }
}

TEST_CASE("storage.metadata_map_size takes 0 or whole 64 KiB steps from 8 MiB to 16 TiB", "[config]") {
    Config c;
    CHECK(c.metadata_map_size == 0);  // the store's default for the architecture
    apply_config_toml(c, "[storage]\nmetadata_map_size = 16777216\n", "t");
    CHECK(c.metadata_map_size == 16u << 20);
    apply_config_toml(c, "[storage]\nmetadata_map_size = 0\n", "t");
    CHECK(c.metadata_map_size == 0);
    for (const char* bad : {"8323072", "1048576", "10000000", "8454145", "17592186109952", "-1"}) {
        INFO(bad);
        try {
            apply_config_toml(c, std::string("[storage]\nmetadata_map_size = ") + bad + "\n", "t");
            FAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            CHECK_THAT(e.what(), Contains("storage.metadata_map_size: expected 0 (the default) or a multiple of 65536"));
        }
    }
    ConfigSources s;
    s.environment = {{"SHOAL_STORAGE_METADATA_MAP_SIZE", "33554432"}};
    CHECK(load_config(s).config.metadata_map_size == 32u << 20);
}

TEST_CASE("tls settings: modes, plain http, certificate files", "[config]") {
    TempDir dir;
    const Config defaults = load({});
    CHECK(defaults.tls == TlsMode::automatic);
    CHECK(defaults.plain_http);
    CHECK(defaults.tls_certificate.empty());

    const Config c = load(from_file(dir, "[server]\ntls = \"on\"\nhttp = \"off\"\n"
                                         "tls_cert = \"/etc/shoal/tls/cert.pem\"\ntls_key = \"/etc/shoal/tls/key.pem\"\n"));
    CHECK(c.tls == TlsMode::on);
    CHECK_FALSE(c.plain_http);
    CHECK(c.tls_certificate == "/etc/shoal/tls/cert.pem");
    CHECK(c.tls_key == "/etc/shoal/tls/key.pem");

    ConfigSources flag;
    flag.flags = {{"server.tls", "off"}};
    CHECK(load(flag).tls == TlsMode::off);

    CHECK_THAT(error_of(from_file(dir, "[server]\ntls = \"maybe\"\n")), Contains("server.tls: expected auto, on or off"));
    CHECK_THAT(error_of(from_file(dir, "[server]\nhttp = \"no\"\n")), Contains("server.http: expected on or off"));
    // Nothing left to serve.
    CHECK_THAT(error_of(from_file(dir, "[server]\ntls = \"off\"\nhttp = \"off\"\n")), Contains("server.http: off needs"));
    // Half a pair.
    CHECK_THAT(error_of(from_file(dir, "[server]\ntls_cert = \"/x.pem\"\n")), Contains("set both or neither"));
}
