#include "core/http/blocking_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <charconv>
#include <stdexcept>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

namespace shoal::http {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Decodes a chunked body (sizes in hex, extensions ignored, trailers dropped).
std::string dechunk(std::string_view raw, const std::string& where) {
    std::string out;
    while (true) {
        const std::size_t eol = raw.find("\r\n");
        if (eol == std::string_view::npos) throw std::runtime_error(where + ": truncated chunked response");
        std::size_t size = 0;
        const std::string_view line = raw.substr(0, raw.find_first_of(";\r"));
        const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        if (ec != std::errc() || end != line.data() + line.size() || size > kMaxClientBody - out.size()) {
            throw std::runtime_error(where + ": bad chunk size in the response");
        }
        raw.remove_prefix(eol + 2);
        if (size == 0) return out;
        if (raw.size() < size + 2) throw std::runtime_error(where + ": truncated chunked response");
        out.append(raw.substr(0, size));
        raw.remove_prefix(size + 2);
    }
}

}  // namespace

ClientResponse send_request(const std::string& host, std::uint16_t port, const Request& request, std::string_view body,
                            std::chrono::seconds timeout) {
    const std::string where = host + ":" + std::to_string(port);
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    std::string head = request.method + " " + request.target + " HTTP/1.1\r\n";
    for (const Header& h : request.headers) head += h.name + ": " + h.value + "\r\n";
    head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    std::string raw;
    try {
        asio::ip::tcp::resolver resolver(io);
        asio::connect(socket, resolver.resolve(host, std::to_string(port)));
        // Blocking calls with a deadline per call (no event loop needed).
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count());
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        asio::write(socket, asio::buffer(head));
        asio::write(socket, asio::buffer(body.data(), body.size()));
        char buffer[16384];
        while (true) {
            std::error_code ec;
            const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
            raw.append(buffer, n);
            if (ec == asio::error::eof) break;
            if (ec) throw std::system_error(ec);
            if (raw.size() > kMaxClientBody + 65536) throw std::runtime_error("response larger than expected");
        }
    } catch (const std::system_error& e) {
        throw std::runtime_error(where + ": " + e.code().message());
    }
    const std::size_t end_of_head = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || end_of_head == std::string::npos || raw.size() < 12) {
        throw std::runtime_error(where + ": the answer is not HTTP/1.x");
    }
    ClientResponse response;
    const auto [end, ec] = std::from_chars(raw.data() + 9, raw.data() + 12, response.status);
    if (ec != std::errc() || end != raw.data() + 12) throw std::runtime_error(where + ": bad HTTP status line");
    bool chunked = false;
    std::string_view lines(raw.data(), end_of_head);
    lines.remove_prefix(std::min(lines.size(), lines.find("\r\n") + 2));
    while (!lines.empty()) {
        const std::size_t eol = std::min(lines.find("\r\n"), lines.size());
        const std::string_view line = lines.substr(0, eol);
        lines.remove_prefix(std::min(lines.size(), eol + 2));
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        response.headers.push_back(Header{std::string(line.substr(0, colon)), std::string(value)});
        if (lower(line.substr(0, colon)) == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) {
            chunked = true;
        }
    }
    const std::string_view payload(raw.data() + end_of_head + 4, raw.size() - end_of_head - 4);
    response.body = chunked ? dechunk(payload, where) : std::string(payload);
    return response;
}

}  // namespace shoal::http
