// HTTP responses: a whole small response (Response), and the framing of a
// response head on the wire (serialize_head).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.hpp"

namespace shoal::http {

// A response whose body is small enough to hold in memory (errors, XML
// documents, empty answers). Large bodies are streamed with Exchange::begin().
struct Response {
    int status = 200;
    std::vector<Header> headers;  // Content-Length, Connection, Date, Server are added by the server
    std::string body;

    Response& set(std::string name, std::string value) {
        headers.push_back(Header{std::move(name), std::move(value)});
        return *this;
    }
};

std::string_view reason_phrase(int status);

// How the body after a response head is delimited.
struct BodyFrame {
    enum Kind { length, chunked, until_close } kind = length;
    std::uint64_t bytes = 0;  // for `length`

    static BodyFrame of_length(std::uint64_t n) { return {length, n}; }
};

// True for statuses that never carry a body or Content-Length (1xx, 204, 304).
bool status_has_no_body(int status);

// Status line and headers, ending with the blank line. Adds Server, Date,
// Content-Length or Transfer-Encoding, and Connection.
std::string serialize_head(int status, const std::vector<Header>& headers, BodyFrame frame, bool keep_alive,
                           std::string_view date);

// The current time as an IMF-fixdate ("Wed, 25 Nov 2026 11:31:19 GMT").
std::string http_date_now();

}  // namespace shoal::http
