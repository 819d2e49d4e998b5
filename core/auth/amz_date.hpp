// The timestamps of SigV4: the ISO 8601 basic form "20130524T000000Z" of
// x-amz-date / X-Amz-Date and of every string to sign, the "20130524" date of
// a credential scope, and the IMF-fixdate of the HTTP Date header
// ("Fri, 24 May 2013 00:00:00 GMT"), which a request may use instead.
//
// Parsers accept exactly those forms (UTC, no fractions, no leap second) and
// check the calendar (no 30 February); anything else is nullopt.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::auth {

using Timestamp = std::chrono::sys_seconds;  // 64-bit seconds on every target

std::optional<Timestamp> parse_amz_date(std::string_view text);
std::optional<Timestamp> parse_http_date(std::string_view text);

std::string format_amz_date(Timestamp time);    // "20130524T000000Z"
std::string format_scope_date(Timestamp time);  // "20130524"

}  // namespace shoal::auth
