// HTTP/1.1 request heads: find_head_end() as the connection calls it (the
// buffer growing in uneven steps), parse_request_head() under two sets of
// limits, and check_request_start() on every prefix of an accepted head. An accepted head must satisfy the grammar the parser promises and
// parse again, to the same request, once written back out.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/http/request_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;

bool is_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (!is_tchar(c)) return false;
    }
    return true;
}

std::string serialize(const http::Request& r) {
    std::string out = r.method + " " + r.target + " HTTP/1." + std::to_string(r.version_minor) + "\r\n";
    for (const http::Header& h : r.headers) out += h.name + ": " + h.value + "\r\n";
    return out + "\r\n";
}

void check_request(const http::Request& r, std::string_view head, const http::Limits& limits) {
    FUZZ_CHECK(head.size() <= limits.max_head_bytes, "head over the limit accepted");
    FUZZ_CHECK(is_token(r.method), r.method);
    FUZZ_CHECK(!r.target.empty() && r.target.size() <= limits.max_target_bytes, r.target);
    FUZZ_CHECK(r.target.front() == '/' || r.target == "*", r.target);
    for (unsigned char c : r.target) FUZZ_CHECK(c > 0x20 && c < 0x7f, r.target);
    FUZZ_CHECK(r.version_minor == 0 || r.version_minor == 1, "version");
    FUZZ_CHECK(r.headers.size() <= limits.max_headers, "header count");

    std::size_t content_lengths = 0;
    std::size_t transfer_encodings = 0;
    std::size_t hosts = 0;
    for (const http::Header& h : r.headers) {
        FUZZ_CHECK(is_token(h.name), h.name);
        for (unsigned char c : h.value) FUZZ_CHECK((c >= 0x20 || c == '\t') && c != 0x7f, h.value);
        if (!h.value.empty()) {
            FUZZ_CHECK(h.value.front() != ' ' && h.value.front() != '\t', h.value);
            FUZZ_CHECK(h.value.back() != ' ' && h.value.back() != '\t', h.value);
        }
        if (http::iequals(h.name, "Content-Length")) ++content_lengths;
        if (http::iequals(h.name, "Transfer-Encoding")) ++transfer_encodings;
        if (http::iequals(h.name, "Host")) ++hosts;
    }
    FUZZ_CHECK(hosts <= 1, "more than one Host (RFC 9112 section 3.2)");
    // Framing is never ambiguous (request smuggling).
    switch (r.framing) {
        case http::BodyFraming::chunked:
            FUZZ_CHECK(transfer_encodings == 1 && content_lengths == 0 && r.version_minor == 1, "chunked framing");
            FUZZ_CHECK(http::iequals(*r.header("Transfer-Encoding"), "chunked"), "chunked framing");
            break;
        case http::BodyFraming::content_length:
            FUZZ_CHECK(transfer_encodings == 0 && content_lengths >= 1 && r.content_length > 0, "length framing");
            break;
        case http::BodyFraming::none:
            FUZZ_CHECK(transfer_encodings == 0 && r.content_length == 0, "no body framing");
            break;
    }
    for (const http::Header& h : r.headers) {
        if (!http::iequals(h.name, "Content-Length")) continue;
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(h.value.data(), h.value.data() + h.value.size(), n);
        FUZZ_CHECK(ec == std::errc{} && end == h.value.data() + h.value.size() && n == r.content_length, h.value);
    }
    // The accessors are total.
    (void)r.keep_alive();
    FUZZ_CHECK(r.path().size() + (r.query().empty() ? 0 : r.query().size() + 1) <= r.target.size(), r.target);

    // What was accepted parses again to the same request.
    const std::string again = serialize(r);
    http::Limits roomy = limits;
    roomy.max_head_bytes = again.size();
    const http::ParseResult reparsed = http::parse_request_head(again, roomy);
    const auto* r2 = std::get_if<http::Request>(&reparsed);
    FUZZ_CHECK(r2 != nullptr, again);
    FUZZ_CHECK(r2->method == r.method && r2->target == r.target && r2->version_minor == r.version_minor, again);
    FUZZ_CHECK(r2->framing == r.framing && r2->content_length == r.content_length, again);
    FUZZ_CHECK(r2->headers.size() == r.headers.size(), again);
    for (std::size_t i = 0; i < r.headers.size(); ++i) {
        FUZZ_CHECK(r2->headers[i].name == r.headers[i].name && r2->headers[i].value == r.headers[i].value, again);
    }
}

void parse(std::string_view head, const http::Limits& limits) {
    const http::ParseResult result = http::parse_request_head(head, limits);
    if (const auto* r = std::get_if<http::Request>(&result)) {
        check_request(*r, head, limits);
        // The connection's early check never refuses what would be accepted,
        // however much of it has arrived: every short prefix (the check looks
        // at the first bytes), those around the request line's end, the whole.
        const std::size_t eol = head.find("\r\n");
        for (std::size_t n = 0; n <= head.size(); ++n) {
            if (n > 64 && n + 2 < eol && n != head.size()) continue;
            if (n > eol + 2 && n != head.size()) continue;
            FUZZ_CHECK(!http::check_request_start(head.substr(0, n), limits), head.substr(0, n));
        }
    } else {
        const http::ParseError& e = std::get<http::ParseError>(result);
        FUZZ_CHECK(e.status == 400 || e.status == 414 || e.status == 431 || e.status == 501 || e.status == 505,
                   e.reason);
        FUZZ_CHECK(!e.reason.empty(), "empty reason");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = fuzz::as_text(data, size);

    // The connection searches the growing buffer, telling how much it already saw.
    const std::size_t whole = http::find_head_end(input);
    FUZZ_CHECK(whole == std::string_view::npos || (whole >= 4 && whole <= size && input.substr(whole - 4, 4) == "\r\n\r\n"),
               "find_head_end");
    FUZZ_CHECK(whole == std::string_view::npos || input.substr(0, whole - 1).find("\r\n\r\n") == std::string_view::npos,
               "find_head_end: not the first blank line");
    constexpr std::size_t kSteps[] = {1, 3, 2, 7, 1, 64, 5, 4096};
    std::size_t scanned = 0;
    std::size_t found = std::string_view::npos;
    for (std::size_t i = 0, length = 0;; ++i) {
        length = std::min(size, length + kSteps[i % std::size(kSteps)]);
        found = http::find_head_end(input.substr(0, length), scanned);
        if (found != std::string_view::npos || length == size) break;
        scanned = length;
    }
    FUZZ_CHECK(found == whole, "find_head_end depends on how the buffer grew");

    const http::Limits defaults;
    const http::Limits tight{256, 64, 8};
    if (whole != std::string_view::npos) {
        parse(input.substr(0, whole), defaults);
        parse(input.substr(0, whole), tight);
    }
    parse(input, defaults);
    return 0;
}
