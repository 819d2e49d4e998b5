#include "tests/bench/s3bench/endpoint.hpp"

#include <netdb.h>

#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace shoal::bench {

Endpoint resolve_endpoint(std::string_view url) {
    const std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) {
        throw std::runtime_error("endpoint must start with http:// (got \"" + std::string(url) + "\")");
    }
    std::string_view rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) throw std::runtime_error("endpoint must have no path");

    Endpoint ep;
    std::string_view port_text;
    if (!rest.empty() && rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) throw std::runtime_error("endpoint: unterminated [IPv6] address");
        ep.host = std::string(rest.substr(1, close - 1));
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') throw std::runtime_error("endpoint: expected :PORT after ]");
            port_text = rest.substr(close + 2);
        }
    } else {
        const std::size_t colon = rest.rfind(':');
        ep.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    }
    if (ep.host.empty()) throw std::runtime_error("endpoint: no host");
    if (!port_text.empty()) {
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            throw std::runtime_error("endpoint: bad port \"" + std::string(port_text) + "\"");
        }
        ep.port = static_cast<std::uint16_t>(port);
    }
    const bool v6 = ep.host.find(':') != std::string::npos;
    ep.host_header = (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(ep.port);
    if (const int rc = ::getaddrinfo(ep.host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw std::runtime_error("endpoint: cannot resolve " + ep.host + ": " + ::gai_strerror(rc));
    }
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
    std::memcpy(&ep.address, found->ai_addr, found->ai_addrlen);
    ep.address_length = found->ai_addrlen;
    return ep;
}

}  // namespace shoal::bench
