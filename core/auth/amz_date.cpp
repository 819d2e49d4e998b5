#include "core/auth/amz_date.hpp"

#include <array>
#include <cstdio>

namespace shoal::auth {
namespace {

using namespace std::chrono;

// Parses `digits` decimal digits at text[pos]; -1 if any is not a digit.
int number(std::string_view text, std::size_t pos, std::size_t digits) {
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::optional<Timestamp> make_time(int y, int mo, int d, int h, int mi, int s) {
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
    return Timestamp{sys_days{date}} + hours{h} + minutes{mi} + seconds{s};
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

}  // namespace

std::optional<Timestamp> parse_amz_date(std::string_view text) {
    // YYYYMMDD 'T' HHMMSS 'Z'
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
    return make_time(number(text, 0, 4), number(text, 4, 2), number(text, 6, 2), number(text, 9, 2),
                     number(text, 11, 2), number(text, 13, 2));
}

std::optional<Timestamp> parse_http_date(std::string_view text) {
    // "Fri, 24 May 2013 00:00:00 GMT"
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
        text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    bool weekday_ok = false;
    for (std::string_view w : kWeekdays) weekday_ok = weekday_ok || text.substr(0, 3) == w;
    int month_number = -1;
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (text.substr(8, 3) == kMonths[i]) month_number = static_cast<int>(i) + 1;
    }
    if (!weekday_ok || month_number < 0) return std::nullopt;
    return make_time(number(text, 12, 4), month_number, number(text, 5, 2), number(text, 17, 2),
                     number(text, 20, 2), number(text, 23, 2));
}

std::string format_amz_date(Timestamp time) {
    const sys_days day_point = floor<days>(time);
    const year_month_day date{day_point};
    const hh_mm_ss<seconds> clock{time - day_point};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    return buffer;
}

std::string format_scope_date(Timestamp time) { return format_amz_date(time).substr(0, 8); }

}  // namespace shoal::auth
