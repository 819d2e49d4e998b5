#include "core/http/request.hpp"

namespace shoal::http {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
}

bool is_field_value(std::string_view s) {
    for (const unsigned char c : s) {
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

const std::string* Request::header(std::string_view name) const {
    for (const Header& h : headers) {
        if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

bool Request::keep_alive() const {
    const std::string* connection = header("Connection");
    if (version_minor == 0) return connection != nullptr && has_token(*connection, "keep-alive");
    return connection == nullptr || !has_token(*connection, "close");
}

std::string_view Request::path() const {
    const std::string_view t = target;
    return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
    const std::string_view t = target;
    const std::size_t q = t.find('?');
    return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

}  // namespace shoal::http
