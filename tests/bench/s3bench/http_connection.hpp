// One benchmark client's HTTP/1.1 connection: a blocking socket, kept alive
// across requests and reopened when the server closes it. Request bodies are
// streamed from the shared Payload, response bodies are read through one
// reused buffer: memory per client is fixed, whatever the object size.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.hpp"
#include "core/runtime/unique_fd.hpp"
#include "tests/bench/s3bench/endpoint.hpp"
#include "tests/bench/s3bench/payload.hpp"

namespace shoal::bench {

struct ResponseOptions {
    bool head_request = false;  // a response to HEAD has no body, whatever its headers say
    bool keep_body = false;     // keep the body in HttpResponse::body (listings, errors are always kept)
    bool crc32c = false;        // compute the body's CRC-32C
};

struct HttpResponse {
    int status = 0;
    std::vector<http::Header> headers;
    std::uint64_t body_bytes = 0;
    std::uint32_t body_crc32c = 0;
    std::string body;  // kept when asked or when status >= 300, up to kMaxKeptBody

    const std::string* header(std::string_view name) const;
};

class HttpConnection {
public:
    static constexpr std::size_t kBufferBytes = 256 * 1024;
    static constexpr std::size_t kMaxHeadBytes = 64 * 1024;
    static constexpr std::size_t kMaxKeptBody = 16 * 1024 * 1024;

    HttpConnection(const Endpoint& endpoint, std::chrono::seconds timeout);

    // Sends `head` (request line and headers, ending with the blank line)
    // followed by `body_size` bytes of `payload`, and reads the response.
    // A request that fails on a kept-alive connection before any byte of the
    // answer arrived (the server closed it while idle) is retried once on a
    // new connection. Throws std::runtime_error when the exchange fails; the
    // connection is then closed.
    HttpResponse exchange(std::string_view head, const Payload& payload, std::uint64_t body_size,
                          const ResponseOptions& options);

    std::uint64_t connects() const { return connects_; }

private:
    HttpResponse exchange_once(std::string_view head, const Payload& payload, std::uint64_t body_size,
                               const ResponseOptions& options);
    void connect();
    void send_request(std::string_view head, const Payload& payload, std::uint64_t body_size);
    std::size_t receive();  // appends to buffer_ at end_; 0 at end of stream
    std::string_view read_head();
    void read_body(HttpResponse& response, const ResponseOptions& options, bool& keep_alive);
    void take(HttpResponse& response, const ResponseOptions& options, const char* data, std::size_t n);

    const Endpoint& endpoint_;
    std::chrono::seconds timeout_;
    runtime::UniqueFd fd_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
    std::size_t end_ = 0;
    std::vector<char> scratch_;  // decoded chunked payload
    bool received_any_ = false;  // a byte of the current response arrived
    std::uint64_t requests_on_connection_ = 0;
    std::uint64_t connects_ = 0;
};

}  // namespace shoal::bench
