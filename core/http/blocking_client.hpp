// A small blocking HTTP/1.1 client for command-line tools (`shoald admin`):
// one request per connection (Connection: close), the response read whole
// into memory. Made for short administration documents, not for data: the
// body is capped at kMaxBody bytes.
//
//   http::Request request;  request.method = "GET";  request.target = "/_shoal/drives";
//   request.headers.push_back({"Host", "127.0.0.1:9000"});
//   ClientResponse r = send_request("127.0.0.1", 9000, request, "", std::chrono::seconds(30));
//
// Throws std::runtime_error (naming the address) when the server cannot be
// reached, stops answering for `timeout`, or answers something that is not
// HTTP/1.x.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.hpp"

namespace shoal::http {

struct ClientResponse {
    int status = 0;
    std::vector<Header> headers;
    std::string body;
};

inline constexpr std::size_t kMaxClientBody = 16u << 20;

// `request` is sent as given (method, target, headers; Content-Length and
// Connection: close are added), followed by `body`.
ClientResponse send_request(const std::string& host, std::uint16_t port, const Request& request, std::string_view body,
                            std::chrono::seconds timeout);

}  // namespace shoal::http
