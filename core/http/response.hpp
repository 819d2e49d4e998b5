// An HTTP response produced by a handler; the server frames it on the wire.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.hpp"

namespace shoal::http {

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

// Status line and headers, ending with the blank line. `with_length` is false
// only for statuses that carry no body (1xx, 204, 304). HEAD requests keep the
// Content-Length of the body they do not receive (RFC 9110 section 9.3.2).
std::string serialize_head(const Response& response, bool keep_alive, std::string_view date);

// The current time as an IMF-fixdate ("Wed, 25 Nov 2026 11:31:19 GMT").
std::string http_date_now();

}  // namespace shoal::http
