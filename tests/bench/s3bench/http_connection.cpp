#include "tests/bench/s3bench/http_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "core/hash/crc32c.hpp"
#include "core/http/chunked_decoder.hpp"

namespace shoal::bench {
namespace {

std::runtime_error os_error(std::string_view what, int error) {
    return std::runtime_error(std::string(what) + ": " + std::strerror(error));
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n" → status, headers, HTTP/1.<minor>.
int parse_head(std::string_view head, std::vector<http::Header>& headers, int& minor) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
        throw std::runtime_error("bad status line \"" + std::string(status_line.substr(0, 80)) + "\"");
    }
    minor = status_line[7] - '0';
    int status = 0;
    const auto [end, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
    if (ec != std::errc{} || end != status_line.data() + 12) throw std::runtime_error("bad status code");
    std::string_view rest = head.substr(eol + 2);
    while (!rest.empty()) {
        const std::size_t line_end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, line_end);
        rest = line_end == std::string_view::npos ? std::string_view{} : rest.substr(line_end + 2);
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) throw std::runtime_error("bad header line");
        headers.push_back(http::Header{std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
    }
    return status;
}

std::optional<std::uint64_t> parse_length(const std::string* text) {
    if (text == nullptr) return std::nullopt;
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (text->empty() || ec != std::errc{} || end != text->data() + text->size()) {
        throw std::runtime_error("bad Content-Length \"" + *text + "\"");
    }
    return n;
}

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const {
    for (const http::Header& h : headers) {
        if (http::iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

HttpConnection::HttpConnection(const Endpoint& endpoint, std::chrono::seconds timeout)
    : endpoint_(endpoint), timeout_(timeout), buffer_(kBufferBytes) {}

void HttpConnection::connect() {
    fd_.reset();
    begin_ = end_ = 0;
    requests_on_connection_ = 0;
    runtime::UniqueFd fd(::socket(endpoint_.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw os_error("socket", errno);
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_.count());
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint_.address), endpoint_.address_length) != 0) {
        throw os_error("connect to " + endpoint_.host_header, errno);
    }
    fd_ = std::move(fd);
    ++connects_;
}

void HttpConnection::send_request(std::string_view head, const Payload& payload, std::uint64_t body_size) {
    std::size_t head_sent = 0;
    std::uint64_t body_sent = 0;
    while (head_sent < head.size() || body_sent < body_size) {
        iovec iov[2];
        int n = 0;
        if (head_sent < head.size()) {
            iov[n++] = iovec{const_cast<char*>(head.data() + head_sent), head.size() - head_sent};
        }
        if (body_sent < body_size) {
            const std::span<const char> s = payload.slice(body_sent, body_size - body_sent);
            iov[n++] = iovec{const_cast<char*>(s.data()), s.size()};
        }
        msghdr message{};
        message.msg_iov = iov;
        message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(n);
        const ssize_t w = ::sendmsg(fd_.get(), &message, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw os_error(errno == EAGAIN ? "send (timed out)" : "send", errno);
        }
        std::size_t left = static_cast<std::size_t>(w);
        const std::size_t from_head = std::min(left, head.size() - head_sent);
        head_sent += from_head;
        body_sent += left - from_head;
    }
}

std::size_t HttpConnection::receive() {
    if (begin_ == end_) begin_ = end_ = 0;
    if (end_ == buffer_.size()) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    while (true) {
        const ssize_t r = ::recv(fd_.get(), buffer_.data() + end_, buffer_.size() - end_, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw os_error(errno == EAGAIN ? "receive (timed out)" : "receive", errno);
        }
        if (r > 0) received_any_ = true;
        end_ += static_cast<std::size_t>(r);
        return static_cast<std::size_t>(r);
    }
}

std::string_view HttpConnection::read_head() {
    std::size_t scanned = 0;
    while (true) {
        const std::string_view have(buffer_.data() + begin_, end_ - begin_);
        const std::size_t from = scanned > 3 ? scanned - 3 : 0;
        const std::size_t at = have.find("\r\n\r\n", from);
        if (at != std::string_view::npos) {
            begin_ += at + 4;
            return have.substr(0, at + 4);
        }
        scanned = have.size();
        if (have.size() > kMaxHeadBytes) throw std::runtime_error("response head over 64 KiB");
        if (begin_ > 0 && end_ == buffer_.size()) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (receive() == 0) {
            throw std::runtime_error(end_ == begin_ ? "connection closed before the response"
                                                    : "connection closed in the response head");
        }
    }
}

void HttpConnection::take(HttpResponse& response, const ResponseOptions& options, const char* data, std::size_t n) {
    response.body_bytes += n;
    if (options.crc32c) response.body_crc32c = hash::crc32c(data, n, response.body_crc32c);
    if ((options.keep_body || response.status >= 300) && response.body.size() + n <= kMaxKeptBody) {
        response.body.append(data, n);
    }
}

void HttpConnection::read_body(HttpResponse& response, const ResponseOptions& options, bool& keep_alive) {
    const int status = response.status;
    if (options.head_request || (status >= 100 && status < 200) || status == 204 || status == 304) return;

    const std::string* te = response.header("Transfer-Encoding");
    if (te != nullptr && http::has_token(*te, "chunked")) {
        http::ChunkedDecoder decoder;
        if (scratch_.empty()) scratch_.resize(64 * 1024);
        while (!decoder.done()) {
            if (begin_ == end_ && receive() == 0) throw std::runtime_error("connection closed in a chunked body");
            const http::ChunkedDecoder::Step step =
                decoder.decode(std::string_view(buffer_.data() + begin_, end_ - begin_), scratch_);
            begin_ += step.consumed;
            take(response, options, scratch_.data(), step.produced);
            if (decoder.failed()) throw std::runtime_error("bad chunked body: " + decoder.error());
            if (!decoder.done() && step.consumed == 0 && step.produced == 0 && receive() == 0) {
                throw std::runtime_error("connection closed in a chunked body");
            }
        }
        return;
    }
    if (const std::optional<std::uint64_t> length = parse_length(response.header("Content-Length"))) {
        std::uint64_t remaining = *length;
        while (remaining > 0) {
            if (begin_ == end_ && receive() == 0) {
                throw std::runtime_error("connection closed with " + std::to_string(remaining) +
                                         " bytes of the body missing");
            }
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, end_ - begin_));
            take(response, options, buffer_.data() + begin_, n);
            begin_ += n;
            remaining -= n;
        }
        return;
    }
    // Neither: the body ends when the server closes the connection.
    keep_alive = false;
    while (true) {
        if (begin_ == end_ && receive() == 0) return;
        take(response, options, buffer_.data() + begin_, end_ - begin_);
        begin_ = end_;
    }
}

HttpResponse HttpConnection::exchange_once(std::string_view head, const Payload& payload, std::uint64_t body_size,
                                           const ResponseOptions& options) {
    if (!fd_) connect();
    received_any_ = false;
    bool send_failed = false;
    try {
        send_request(head, payload, body_size);
    } catch (const std::runtime_error& e) {
        // The server may have answered early (an error) and closed: read that
        // answer if it is there, else report the send failure.
        send_failed = true;
        const std::string what = e.what();
        timeval tv{0, 200000};
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        try {
            if (begin_ == end_ && receive() == 0) throw std::runtime_error(what);
        } catch (const std::runtime_error&) {
            throw std::runtime_error(what);
        }
    }
    HttpResponse response;
    int minor = 1;
    response.status = parse_head(read_head(), response.headers, minor);
    bool keep_alive = minor >= 1;
    if (const std::string* connection = response.header("Connection")) {
        if (http::has_token(*connection, "close")) keep_alive = false;
        if (http::has_token(*connection, "keep-alive")) keep_alive = true;
    }
    read_body(response, options, keep_alive);
    ++requests_on_connection_;
    if (!keep_alive || send_failed) fd_.reset();
    return response;
}

HttpResponse HttpConnection::exchange(std::string_view head, const Payload& payload, std::uint64_t body_size,
                                      const ResponseOptions& options) {
    const bool reused = fd_ && requests_on_connection_ > 0;
    try {
        return exchange_once(head, payload, body_size, options);
    } catch (const std::runtime_error&) {
        fd_.reset();
        if (!reused || received_any_) throw;
    }
    return exchange_once(head, payload, body_size, options);
}

}  // namespace shoal::bench
