#include <catch2/catch.hpp>

#include "core/http/request_parser.hpp"

using namespace shoal::http;

namespace {

Request parse_ok(std::string_view head, const Limits& limits = {}) {
    ParseResult result = parse_request_head(head, limits);
    if (auto* err = std::get_if<ParseError>(&result)) FAIL("unexpected error " << err->status << ": " << err->reason);
    return std::get<Request>(std::move(result));
}

int parse_status(std::string_view head, const Limits& limits = {}) {
    ParseResult result = parse_request_head(head, limits);
    if (std::holds_alternative<Request>(result)) return 0;
    return std::get<ParseError>(result).status;
}

}  // namespace

TEST_CASE("find_head_end locates the blank line, also across partial reads", "[http]") {
    CHECK(find_head_end("GET / HTTP/1.1\r\nHost: x\r\n") == std::string_view::npos);
    const std::string full = "GET / HTTP/1.1\r\nHost: x\r\n\r\nBODY";
    CHECK(find_head_end(full) == full.size() - 4);
    // A terminator straddling the end of the previous scan is still found.
    CHECK(find_head_end(full, 24) == full.size() - 4);
    CHECK(find_head_end(full, 26) == full.size() - 4);
}

TEST_CASE("a simple GET parses into method, target, version and headers", "[http]") {
    const Request r = parse_ok("GET /bucket/key?versionId=3 HTTP/1.1\r\nHost: s3.local\r\nX-Amz-Date:  20261125T000000Z \r\n\r\n");
    CHECK(r.method == "GET");
    CHECK(r.target == "/bucket/key?versionId=3");
    CHECK(r.path() == "/bucket/key");
    CHECK(r.query() == "versionId=3");
    CHECK(r.version_minor == 1);
    REQUIRE(r.headers.size() == 2);
    CHECK(*r.header("host") == "s3.local");
    CHECK(*r.header("x-amz-date") == "20261125T000000Z");  // surrounding whitespace trimmed
    CHECK(r.header("missing") == nullptr);
    CHECK(r.framing == BodyFraming::none);
    CHECK(r.keep_alive());
}

TEST_CASE("keep-alive follows the HTTP version and the Connection header", "[http]") {
    CHECK_FALSE(parse_ok("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive());
    CHECK_FALSE(parse_ok("GET / HTTP/1.0\r\n\r\n").keep_alive());
    CHECK(parse_ok("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
    CHECK_FALSE(parse_ok("GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n").keep_alive());
}

TEST_CASE("body framing comes from Content-Length or chunked Transfer-Encoding", "[http]") {
    const Request sized = parse_ok("PUT /b/k HTTP/1.1\r\nContent-Length: 5368709120\r\n\r\n");
    CHECK(sized.framing == BodyFraming::content_length);
    CHECK(sized.content_length == 5368709120ULL);  // 5 GiB fits on 32-bit targets too
    CHECK(parse_ok("PUT /b/k HTTP/1.1\r\nContent-Length: 0\r\n\r\n").framing == BodyFraming::none);
    CHECK(parse_ok("PUT /b/k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").framing == BodyFraming::chunked);
    // Repeating the same length is allowed.
    CHECK(parse_ok("PUT / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n").content_length == 3);
}

TEST_CASE("ambiguous body framing is rejected (request smuggling)", "[http]") {
    CHECK(parse_status("PUT / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
    CHECK(parse_status("PUT / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n") == 400);
    CHECK(parse_status("PUT / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == 400);
    CHECK(parse_status("PUT / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n") == 400);
    CHECK(parse_status("PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n") == 400);
    CHECK(parse_status("PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
    CHECK(parse_status("PUT / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
}

// Found by tests/fuzz/request_head_fuzzer (its invariants include RFC 9112's
// "at most one Host"): a second Host was accepted, and the virtual-hosted
// bucket came from the first while a proxy may route on the last.
TEST_CASE("a request with more than one Host header is rejected", "[http]") {
    CHECK(parse_status("GET / HTTP/1.1\r\nHost: a.s3.local\r\nhost: b.s3.local\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n") == 400);
    CHECK(parse_ok("GET / HTTP/1.1\r\nHost: a\r\n\r\n").header("host") != nullptr);
    CHECK(parse_status("GET / HTTP/1.0\r\n\r\n") == 0);  // none is still accepted
}

TEST_CASE("malformed request lines are rejected with the right status", "[http]") {
    CHECK(parse_status("GET /\r\n\r\n") == 400);
    CHECK(parse_status("GET  / HTTP/1.1\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1 extra\r\n\r\n") == 400);
    CHECK(parse_status("G@T / HTTP/1.1\r\n\r\n") == 400);
    CHECK(parse_status("GET http://host/ HTTP/1.1\r\n\r\n") == 400);
    CHECK(parse_status("GET /a\x01z HTTP/1.1\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/2.0\r\n\r\n") == 505);
    CHECK(parse_status("GET / HTTP/1.2\r\n\r\n") == 505);
    CHECK(parse_status("GET / FTP/1.1\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1\n\n") == 400);  // bare LF
    CHECK(parse_status("OPTIONS * HTTP/1.1\r\n\r\n") == 0);
}

TEST_CASE("malformed header fields are rejected", "[http]") {
    CHECK(parse_status("GET / HTTP/1.1\r\nNoColon\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1\r\nHost : x\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1\r\n: x\r\n\r\n") == 400);
    CHECK(parse_status("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n") == 400);
    CHECK(parse_status(std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 27)) == 400);
    CHECK(parse_status("GET / HTTP/1.1\r\nA: b\r\n\r\nextra") == 400);
}

TEST_CASE("limits on head size, target length and header count", "[http]") {
    Limits limits;
    limits.max_head_bytes = 64;
    limits.max_target_bytes = 10;
    limits.max_headers = 2;
    CHECK(parse_status("GET /012345678 HTTP/1.1\r\n\r\n", limits) == 0);
    CHECK(parse_status("GET /0123456789 HTTP/1.1\r\n\r\n", limits) == 414);
    CHECK(parse_status("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", limits) == 0);
    CHECK(parse_status("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits) == 431);
    CHECK(parse_status("GET / HTTP/1.1\r\nA: " + std::string(60, 'x') + "\r\n\r\n", limits) == 431);
}

TEST_CASE("header values may carry UTF-8 (obs-text) and tabs", "[http]") {
    const Request r = parse_ok("GET / HTTP/1.1\r\nx-amz-meta-name: caf\xc3\xa9\tbar\r\n\r\n");
    CHECK(*r.header("X-Amz-Meta-Name") == "caf\xc3\xa9\tbar");
}

TEST_CASE("has_token matches comma-separated tokens case-insensitively", "[http]") {
    CHECK(has_token("keep-alive, Upgrade", "upgrade"));
    CHECK(has_token(" close ", "close"));
    CHECK_FALSE(has_token("closed", "close"));
    CHECK_FALSE(has_token("", "close"));
}

TEST_CASE("every prefix of a valid head may still become a request", "[http]") {
    const std::string heads[] = {
        "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n",
        "PUT /bucket/key%20x?partNumber=2&uploadId=abc HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
        "OPTIONS * HTTP/1.0\r\n\r\n",
        "M-SEARCH /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n",
    };
    for (const std::string& head : heads) {
        REQUIRE(std::holds_alternative<Request>(parse_request_head(head, {})));
        for (std::size_t n = 0; n <= head.size(); ++n) {
            INFO(head.substr(0, n));
            CHECK_FALSE(check_request_start(std::string_view(head).substr(0, n), {}));
        }
    }
}

TEST_CASE("bytes that cannot start a request are refused before the head ends", "[http]") {
    auto status = [](std::string_view received) {
        const auto err = check_request_start(received, {});
        return err ? err->status : 0;
    };
    CHECK(status("\x16\x03\x01\x02\x00") == 400);  // a TLS ClientHello
    CHECK(status("not http at all") == 400);        // no target
    CHECK(status(" GET / HTTP/1.1") == 400);        // leading space
    CHECK(status("GET http://example.com/ HTTP/1.1") == 400);
    CHECK(status("GET / XTTP/1.1") == 400);
    CHECK(status("GET /a\tb") == 400);
    CHECK(status("GET / HTTP/1.1 x\r\n") == 400);   // checked whole once its CRLF arrived
    CHECK(status("GET / HTTP/2.0\r\n") == 505);
    // Only the first bytes are checked until the line ends; then all of it.
    const std::string target = "GET /" + std::string(9000, 'a');
    CHECK(status(target) == 0);
    CHECK(status(target + " HTTP/1.1\r\n") == 414);
    const std::string bad_late = "GET /" + std::string(100, 'a') + "\x01";
    CHECK(status(bad_late) == 0);
    CHECK(status(bad_late + " HTTP/1.1\r\n") == 400);
}
