// An HTTP/1.1 request head, as parsed by parse_request_head().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::http {

struct Header {
    std::string name;   // as sent; compare with iequals()
    std::string value;  // leading/trailing whitespace removed
};

// How the body that follows the head is delimited (RFC 9112 section 6).
enum class BodyFraming { none, content_length, chunked };

struct Request {
    std::string method;
    std::string target;  // origin-form ("/path?query") or "*"
    int version_minor = 1;  // HTTP/1.<minor>: 0 or 1
    std::vector<Header> headers;
    BodyFraming framing = BodyFraming::none;
    std::uint64_t content_length = 0;  // valid when framing == content_length

    // First header with this name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;

    // HTTP/1.1 defaults to keep-alive, HTTP/1.0 to close; "Connection" overrides.
    bool keep_alive() const;

    std::string_view path() const;   // target up to '?'
    std::string_view query() const;  // after '?', empty if none
};

bool iequals(std::string_view a, std::string_view b);

// RFC 9110 grammar: a token (method, field name): one or more tchar.
bool is_token(std::string_view s);

// A field value (header or trailer): visible ASCII, obs-text, space and tab;
// never CR, LF, NUL or another control character.
bool is_field_value(std::string_view s);

// True if the comma-separated header value list contains token (case-insensitive).
bool has_token(std::string_view list, std::string_view token);

}  // namespace shoal::http
