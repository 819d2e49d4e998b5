// Structured logging to a stream (stderr in shoald), one line per event.
//
// A Logger is an ordinary object handed to whoever logs; there is no global
// logger. Lines are written whole under a mutex, so lines from different
// threads never interleave.
//
//   log.info("listening", {{"address", "127.0.0.1:9000"}, {"threads", 2}});
//   text: 2026-11-25T11:31:19.123Z INFO listening address=127.0.0.1:9000 threads=2
//   json: {"ts":"2026-11-25T11:31:19.123Z","level":"info","msg":"listening","address":"127.0.0.1:9000","threads":2}
#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

namespace shoal::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
enum class Format { text, json };

std::string_view to_string(Level level);
std::optional<Level> parse_level(std::string_view name);
std::string_view to_string(Format format);
std::optional<Format> parse_format(std::string_view name);

// One key=value pair of a log line. Numbers stay numbers in JSON output.
struct Field {
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const std::string& v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v) {}
    Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), is_number(true) {}
    template <typename Int>
        requires std::is_integral_v<Int>
    Field(std::string_view k, Int v) : key(k), value(std::to_string(v)), is_number(true) {}

    std::string_view key;
    std::string value;
    bool is_number = false;  // emitted unquoted in JSON
};

class Logger {
public:
    Logger(std::ostream& out, Level min_level, Format format)
        : out_(out), min_level_(min_level), format_(format) {}

    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    bool enabled(Level level) const { return level >= min_level_; }

    void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

    void debug(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::debug, msg, f); }
    void info(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::info, msg, f); }
    void warn(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::warn, msg, f); }
    void error(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::error, msg, f); }

private:
    std::ostream& out_;
    const Level min_level_;
    const Format format_;
    std::mutex mutex_;
};

}  // namespace shoal::log
