// Where the benchmark sends its requests: "http://HOST:PORT", resolved once.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::bench {

struct Endpoint {
    std::string host;         // as written in the URL (an IPv6 address without brackets)
    std::uint16_t port = 80;
    std::string host_header;  // "host:port", as sent (and signed) in Host
    sockaddr_storage address{};
    socklen_t address_length = 0;
};

// Parses and resolves "http://host[:port]" (an optional trailing "/").
// Throws std::runtime_error naming the problem.
Endpoint resolve_endpoint(std::string_view url);

}  // namespace shoal::bench
