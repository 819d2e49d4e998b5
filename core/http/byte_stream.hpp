// The bytes of one connection, as the HTTP layer reads and writes them:
// plain TCP, or TLS over the same socket (core/tls/). The connection owns
// the socket (its deadlines close it); a stream only borrows it, so closing
// the socket ends every pending stream operation.
#pragma once

#include <cstddef>
#include <span>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>

namespace shoal::http {

class ByteStream {
public:
    virtual ~ByteStream() = default;

    // Before the first read: whatever the stream needs (the TLS handshake).
    // Throws ConnectionLost (core/http/exchange.hpp) when it fails.
    virtual asio::awaitable<void> open() { co_return; }

    // Some bytes into `out` (not empty); 0 at the end of the stream.
    // Throws ConnectionLost when the connection fails.
    virtual asio::awaitable<std::size_t> read_some(std::span<char> out) = 0;

    // All of `buffers`; throws ConnectionLost when the connection fails.
    virtual asio::awaitable<void> write_all(std::span<const asio::const_buffer> buffers) = 0;

    // Whether bytes already taken off the socket wait to be read (TLS records
    // received whole or in part): then the socket's readiness says nothing.
    virtual bool has_buffered_input() const noexcept { return false; }

    // Best effort, never waits: tells the peer the stream ends (TLS close_notify)
    // before the connection closes the socket.
    virtual void close_notify() noexcept {}
};

// Plain TCP: the socket itself.
class PlainStream final : public ByteStream {
public:
    explicit PlainStream(asio::ip::tcp::socket& socket) : socket_(socket) {}

    asio::awaitable<std::size_t> read_some(std::span<char> out) override;
    asio::awaitable<void> write_all(std::span<const asio::const_buffer> buffers) override;

private:
    asio::ip::tcp::socket& socket_;
};

}  // namespace shoal::http
