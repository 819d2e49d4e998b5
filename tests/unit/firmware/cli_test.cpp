#include <catch2/catch.hpp>

#include "firmware/cli.hpp"

using namespace shoal::firmware;

TEST_CASE("server flags and directories map to setting keys", "[cli]") {
    const CommandLine line = parse_command_line(
        {"server", "--config", "/etc/shoal.toml", "--address=127.0.0.1:9000", "--threads", "2", "/d1", "/d2"});
    CHECK(line.command == Command::server);
    CHECK(line.config_file == "/etc/shoal.toml");
    using Flag = std::pair<std::string, std::string>;
    CHECK(line.flags == std::vector<Flag>{{"server.address", "127.0.0.1:9000"},
                                          {"server.threads", "2"},
                                          {"storage.drives", "/d1"},
                                          {"storage.drives", "/d2"}});
}

TEST_CASE("commands: version, help, none", "[cli]") {
    CHECK(parse_command_line({"version"}).command == Command::version);
    CHECK(parse_command_line({"--version"}).command == Command::version);
    CHECK(parse_command_line({"--help"}).command == Command::help);
    CHECK(parse_command_line({}).command == Command::help);
    CHECK(parse_command_line({"server", "--help"}).command == Command::help);
}

TEST_CASE("usage errors say what is wrong", "[cli]") {
    CHECK_THROWS_WITH(parse_command_line({"serve"}), "unknown command 'serve'");
    CHECK_THROWS_WITH(parse_command_line({"server", "--adress", "x"}), "unknown option '--adress'");
    CHECK_THROWS_WITH(parse_command_line({"server", "--threads"}), "option '--threads' needs a value");
    CHECK_THROWS_WITH(parse_command_line({"version", "x"}), "'version' takes no arguments");
    CHECK(usage_text().find("shoald server") != std::string::npos);
}
