#include "core/log/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace shoal::log {
namespace {

// UTC, millisecond precision, RFC 3339: sortable and unambiguous across sites.
std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char esc[8];
                    std::snprintf(esc, sizeof esc, "\\u%04x", c);
                    out += esc;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

// Text values are quoted only when they would otherwise be ambiguous.
void append_text_value(std::string& out, std::string_view s) {
    bool plain = !s.empty();
    for (unsigned char c : s) {
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
            plain = false;
            break;
        }
    }
    if (plain) {
        out += s;
    } else {
        append_json_string(out, s);
    }
}

}  // namespace

std::string_view to_string(Level level) {
    switch (level) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "unknown";
}

std::optional<Level> parse_level(std::string_view name) {
    for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (name == to_string(l)) return l;
    }
    return std::nullopt;
}

std::string_view to_string(Format format) { return format == Format::json ? "json" : "text"; }

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::text;
    if (name == "json") return Format::json;
    return std::nullopt;
}

void Logger::write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string line;
    line.reserve(128);
    if (format_ == Format::json) {
        line += "{\"ts\":\"";
        line += timestamp();
        line += "\",\"level\":\"";
        line += to_string(level);
        line += "\",\"msg\":";
        append_json_string(line, message);
        for (const Field& f : fields) {
            line += ',';
            append_json_string(line, f.key);
            line += ':';
            if (f.is_number) {
                line += f.value;
            } else {
                append_json_string(line, f.value);
            }
        }
        line += "}\n";
    } else {
        line += timestamp();
        line += ' ';
        switch (level) {
            case Level::debug: line += "DEBUG"; break;
            case Level::info: line += "INFO "; break;
            case Level::warn: line += "WARN "; break;
            case Level::error: line += "ERROR"; break;
        }
        line += ' ';
        line += message;
        for (const Field& f : fields) {
            line += ' ';
            line += f.key;
            line += '=';
            append_text_value(line, f.value);
        }
        line += '\n';
    }
    std::lock_guard lock(mutex_);
    out_.write(line.data(), static_cast<std::streamsize>(line.size()));
    out_.flush();
}

}  // namespace shoal::log
