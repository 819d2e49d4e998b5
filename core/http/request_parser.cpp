#include "core/http/request_parser.hpp"

#include <charconv>

namespace shoal::http {
namespace {

// Request targets: visible ASCII only (clients percent-encode the rest).
bool is_target(std::string_view s) {
    for (unsigned char c : s) {
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

ParseError error(int status, std::string reason) { return ParseError{status, std::move(reason)}; }

// Splits off the next CRLF-terminated line; false if there is none.
bool next_line(std::string_view& rest, std::string_view& line) {
    const std::size_t eol = rest.find("\r\n");
    if (eol == std::string_view::npos) return false;
    line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    return true;
}

// request-line = method SP request-target SP HTTP-version
std::optional<ParseError> parse_request_line(std::string_view line, const Limits& limits, Request& req) {
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return error(400, "malformed request line");
    }
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) return error(400, "malformed method");
    if (target.size() > limits.max_target_bytes) return error(414, "request target too long");
    if (target.empty() || !is_target(target) || !(target.front() == '/' || target == "*")) {
        return error(400, "malformed request target");
    }
    if (version.size() != 8 || version.substr(0, 7) != "HTTP/1.") {
        if (version.substr(0, 5) == "HTTP/" && version.size() == 8) {
            return error(505, "HTTP version not supported");
        }
        return error(400, "malformed HTTP version");
    }
    if (version[7] != '0' && version[7] != '1') return error(505, "HTTP version not supported");
    req.method.assign(method);
    req.target.assign(target);
    req.version_minor = version[7] - '0';
    return std::nullopt;
}

// Whether the start of a request line, its end not yet received, can still
// become a valid one (parse_request_line accepts every line it accepts).
std::optional<ParseError> check_line_start(std::string_view start) {
    const std::size_t sp1 = start.find(' ');
    if (!is_token(start.substr(0, sp1)) && !(sp1 == std::string_view::npos && start.empty())) {
        return error(400, "malformed method");
    }
    if (sp1 == std::string_view::npos) return std::nullopt;
    const std::string_view after = start.substr(sp1 + 1);
    const std::size_t sp2 = after.find(' ');
    const std::string_view target = after.substr(0, sp2);
    if (!is_target(target) || (!target.empty() && target.front() != '/' && target.front() != '*')) {
        return error(400, "malformed request target");
    }
    if (sp2 == std::string_view::npos) return std::nullopt;
    const std::string_view version = after.substr(sp2 + 1);
    constexpr std::string_view kVersionStart = "HTTP/";
    if (version.substr(0, kVersionStart.size()) != kVersionStart.substr(0, version.size())) {
        return error(400, "malformed HTTP version");
    }
    return std::nullopt;
}

}  // namespace

std::optional<ParseError> check_request_start(std::string_view received, const Limits& limits) {
    const std::size_t eol = received.find("\r\n");
    if (eol != std::string_view::npos) {
        Request ignored;
        return parse_request_line(received.substr(0, eol), limits, ignored);
    }
    // A bounded prefix: checked again at every read, it costs the same
    // however slowly a long line arrives.
    constexpr std::size_t kStartChecked = 32;
    std::string_view start = received.substr(0, kStartChecked);
    if (start.size() == received.size() && !start.empty() && start.back() == '\r') start.remove_suffix(1);  // LF next
    return check_line_start(start);
}

std::size_t find_head_end(std::string_view buffer, std::size_t scanned) {
    const std::size_t from = scanned >= 3 ? scanned - 3 : 0;
    const std::size_t pos = buffer.find("\r\n\r\n", from);
    return pos == std::string_view::npos ? std::string_view::npos : pos + 4;
}

ParseResult parse_request_head(std::string_view head, const Limits& limits) {
    if (head.size() > limits.max_head_bytes) return error(431, "request head too large");

    std::string_view rest = head;
    std::string_view line;
    if (!next_line(rest, line)) return error(400, "request line not terminated by CRLF");

    Request req;
    if (auto err = parse_request_line(line, limits, req)) return std::move(*err);

    bool have_length = false;
    bool chunked = false;
    bool have_host = false;
    std::uint64_t length = 0;
    while (true) {
        if (!next_line(rest, line)) return error(400, "header block not terminated by a blank line");
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') return error(400, "obsolete header line folding");
        if (req.headers.size() == limits.max_headers) return error(431, "too many header fields");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return error(400, "header field without ':'");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim_ows(line.substr(colon + 1));
        if (!is_token(name)) return error(400, "malformed header field name");
        if (!is_field_value(value)) return error(400, "invalid character in header field value");

        if (iequals(name, "Content-Length")) {
            std::uint64_t n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
                return error(400, "invalid Content-Length");
            }
            if (have_length && n != length) return error(400, "conflicting Content-Length values");
            have_length = true;
            length = n;
        } else if (iequals(name, "Host")) {
            // RFC 9112 section 3.2: two Hosts would let a proxy and this server
            // see two different authorities (and so two different buckets).
            if (have_host) return error(400, "more than one Host header field");
            have_host = true;
        } else if (iequals(name, "Transfer-Encoding")) {
            // Only "chunked" alone is supported; anything else cannot be framed safely.
            if (chunked || !iequals(value, "chunked")) return error(501, "unsupported Transfer-Encoding");
            chunked = true;
        }
        req.headers.push_back(Header{std::string(name), std::string(value)});
    }
    if (!rest.empty()) return error(400, "data after the end of the head");

    if (chunked && have_length) return error(400, "both Content-Length and Transfer-Encoding");
    if (chunked) {
        if (req.version_minor == 0) return error(400, "chunked Transfer-Encoding in HTTP/1.0");
        req.framing = BodyFraming::chunked;
    } else if (have_length && length > 0) {
        req.framing = BodyFraming::content_length;
        req.content_length = length;
    }
    return req;
}

}  // namespace shoal::http
