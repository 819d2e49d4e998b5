#include "core/s3/conditions.hpp"

#include <ctime>

namespace shoal::s3 {

bool etag_matches(std::string_view header, std::string_view etag) {
    std::string_view rest = header;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.substr(0, 2) == "W/") item.remove_prefix(2);
        if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
        if (item == "*" || item == etag) return true;
    }
    return false;
}

std::optional<std::uint64_t> parse_http_date(std::string_view text) {
    std::tm tm{};
    const std::string s(text);
    const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t < 0) return std::nullopt;
    return static_cast<std::uint64_t>(t) * 1000;
}

PreconditionOutcome evaluate_preconditions(const Preconditions& c, std::string_view etag, std::uint64_t modified_ms) {
    const std::uint64_t modified_s = modified_ms / 1000 * 1000;
    if (c.if_match != nullptr) {
        if (!etag_matches(*c.if_match, etag)) return PreconditionOutcome::failed;
    } else if (c.if_unmodified_since != nullptr) {
        const auto since = parse_http_date(*c.if_unmodified_since);
        if (since && modified_s > *since) return PreconditionOutcome::failed;
    }
    if (c.if_none_match != nullptr) {
        if (etag_matches(*c.if_none_match, etag)) return PreconditionOutcome::not_modified;
    } else if (c.if_modified_since != nullptr) {
        const auto since = parse_http_date(*c.if_modified_since);
        if (since && modified_s <= *since) return PreconditionOutcome::not_modified;
    }
    return PreconditionOutcome::proceed;
}

bool copy_source_conditions_hold(const CopySourceConditions& c, std::string_view etag, std::uint64_t modified_ms) {
    return evaluate_preconditions(c, etag, modified_ms) == PreconditionOutcome::proceed;
}

}  // namespace shoal::s3
