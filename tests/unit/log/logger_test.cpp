#include <catch2/catch.hpp>

#include <sstream>

#include "core/log/logger.hpp"

using namespace shoal::log;

TEST_CASE("text lines carry level, message and quoted fields when needed", "[log]") {
    std::ostringstream out;
    Logger log(out, Level::info, Format::text);
    log.info("listening", {{"address", "127.0.0.1:9000"}, {"threads", 2}, {"path", "/a b"}});
    const std::string line = out.str();
    CHECK(line.find(" INFO  listening address=127.0.0.1:9000 threads=2 path=\"/a b\"\n") != std::string::npos);
    CHECK(line[4] == '-');  // starts with the timestamp
}

TEST_CASE("levels below the minimum are dropped", "[log]") {
    std::ostringstream out;
    Logger log(out, Level::warn, Format::text);
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    const std::string text = out.str();
    CHECK(text.find(" d\n") == std::string::npos);
    CHECK(text.find(" i\n") == std::string::npos);
    CHECK(text.find("WARN  w\n") != std::string::npos);
    CHECK(text.find("ERROR e\n") != std::string::npos);
}

TEST_CASE("json lines are one escaped object each, numbers unquoted", "[log]") {
    std::ostringstream out;
    Logger log(out, Level::debug, Format::json);
    log.warn("say \"hi\"\n", {{"n", 42}, {"s", "tab\there"}});
    const std::string line = out.str();
    CHECK(line.find("\"level\":\"warn\",\"msg\":\"say \\\"hi\\\"\\n\",\"n\":42,\"s\":\"tab\\there\"}\n") !=
          std::string::npos);
}

TEST_CASE("level and format names parse", "[log]") {
    CHECK(parse_level("debug") == Level::debug);
    CHECK(parse_level("error") == Level::error);
    CHECK_FALSE(parse_level("verbose"));
    CHECK(parse_format("json") == Format::json);
    CHECK_FALSE(parse_format("xml"));
}
