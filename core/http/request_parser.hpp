// Parsing of an HTTP/1.1 request head (request line + header fields).
//
// The connection reads until find_head_end() reports the blank line, then
// hands the complete head to parse_request_head(). Parsing a complete head in
// one call keeps the parser a pure function: easy to test and to fuzz.
//
// Invariants: a head that violates the grammar or a limit is rejected with the
// HTTP status to answer; a request whose body length is ambiguous (both
// Content-Length and Transfer-Encoding, conflicting Content-Length values) is
// rejected, so a body can never be framed two ways (request smuggling); so is
// a request with two Host fields, which could address two authorities.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/http/request.hpp"

namespace shoal::http {

struct Limits {
    std::size_t max_head_bytes = 16 * 1024;   // request line + headers + blank line
    std::size_t max_target_bytes = 8 * 1024;  // request-target
    std::size_t max_headers = 100;
};

struct ParseError {
    int status;          // 400, 414, 431, 501 or 505
    std::string reason;  // for the log and the error body
};

using ParseResult = std::variant<Request, ParseError>;

// Position just past the "\r\n\r\n" ending the head within buffer, or npos.
// `scanned` is how many bytes earlier calls already searched (saves rescans).
std::size_t find_head_end(std::string_view buffer, std::size_t scanned = 0);

// Parses a complete head, including its terminating blank line.
ParseResult parse_request_head(std::string_view head, const Limits& limits);

// The start of a head still being received: an error if it can no longer
// become a valid request line (checked whole once its CRLF has arrived, else
// its first bytes), so that bytes that are not HTTP (another protocol,
// garbage behind a request) are answered 400 at once rather than left to
// header_timeout. Never an error for what parse_request_head would accept.
std::optional<ParseError> check_request_start(std::string_view received, const Limits& limits);

}  // namespace shoal::http
