// The HTTP/1.1 server: an acceptor and its connections, spread over EventLoops.
//
// It knows nothing of S3: requests go to a Handler, and the responses to
// requests it cannot parse come from an ErrorRenderer, both given by the
// caller. Every connection has deadlines (whole head within header_timeout,
// next request within idle_timeout, each body read and response write making
// progress within body_timeout / send_timeout) so a slow or silent client
// cannot hold resources for ever.
//
// TLS shares the port with plain HTTP: a connection whose first byte starts a
// TLS handshake (a handshake record, 0x16; no HTTP method starts so) is
// wrapped in the stream ServerOptions::tls makes, after a handshake that must
// end within header_timeout. ServerOptions::plain_http says whether plain
// requests are served or refused (400) on the port.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "core/http/byte_stream.hpp"
#include "core/http/exchange.hpp"
#include "core/http/request.hpp"
#include "core/http/request_parser.hpp"
#include "core/http/response.hpp"
#include "core/log/logger.hpp"
#include "core/runtime/event_loops.hpp"

namespace shoal::http {

// Answers one exchange. It runs on the connection's event loop: it must not
// block (disk I/O goes to a thread pool). Exceptions other than BodyError and
// ConnectionLost are logged and answered 500 if no response has started.
using Handler = std::function<asio::awaitable<void>(Exchange&)>;

// Builds the response for a request the server rejects itself (status 400,
// 408, 414, 431, 500, 501, 503 or 505), e.g. a malformed head or body. A 4xx
// reason explains the client's mistake; a 500 reason is internal detail
// (what failed) that the renderer logs rather than sends; 503 is overload.
// Called on any loop's thread, and on loop 0 for connections over the limit.
using ErrorRenderer = std::function<Response(int status, std::string_view reason)>;

// Wraps an accepted socket in TLS (on the connection's loop, before the
// handshake). It may throw: the connection is then closed.
using TlsStreamFactory = std::function<std::unique_ptr<ByteStream>(asio::ip::tcp::socket&)>;

struct ServerOptions {
    Limits limits;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds body_timeout{60'000};  // a request body must progress within this
    std::chrono::milliseconds send_timeout{60'000};  // a response write must progress within this
    // At the limit a newcomer replaces the connection that has waited longest
    // without a request (eviction_queue.hpp); 503 only when all are busy.
    std::size_t max_connections = 1024;
    int listen_backlog = 512;
    TlsStreamFactory tls;    // empty: no TLS, every connection is plain HTTP
    bool plain_http = true;  // false: plain requests are answered 400 and closed (needs tls)
};

class Server {
public:
    // The logger and the loops must outlive the server and every connection,
    // that is, until the loops' threads have been joined.
    Server(runtime::EventLoops& loops, ServerOptions options, log::Logger& log, Handler handler,
           ErrorRenderer render_error);
    ~Server();

    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting. Returns the bound endpoint (port 0 picks a
    // free port). Throws std::system_error naming the address on failure.
    asio::ip::tcp::endpoint listen(const asio::ip::tcp::endpoint& endpoint);

    // Thread-safe. Stops accepting, closes idle connections and lets busy ones
    // finish their current response, then close.
    void shutdown();

    std::size_t open_connections() const;

    struct State;  // shared with connections, which may outlive the Server object

private:
    runtime::EventLoops& loops_;
    std::shared_ptr<State> state_;
};

}  // namespace shoal::http
