// TLS over a connection's socket: an mbedTLS session whose I/O callbacks use
// the socket in non-blocking mode; when mbedTLS wants to read or write, the
// coroutine waits for the socket to become ready (socket.async_wait) and
// calls mbedTLS again. Nothing is buffered but mbedTLS' own record buffers
// (MBEDTLS_SSL_IN/OUT_CONTENT_LEN, 16 KiB each in Debian's build), so memory
// per connection is bounded and bodies stream record by record.
//
// Deadlines are the connection's: it closes the socket, which fails any wait.
#pragma once

#include <memory>
#include <span>

#include <asio/ip/tcp.hpp>
#include <mbedtls/ssl.h>

#include "core/http/byte_stream.hpp"
#include "core/tls/server_config.hpp"

namespace shoal::tls {

class TlsStream final : public http::ByteStream {
public:
    // `socket` must outlive the stream. Throws TlsError.
    TlsStream(asio::ip::tcp::socket& socket, std::shared_ptr<const ServerConfig> config);
    ~TlsStream() override;

    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    asio::awaitable<void> open() override;  // the handshake
    asio::awaitable<std::size_t> read_some(std::span<char> out) override;
    asio::awaitable<void> write_all(std::span<const asio::const_buffer> buffers) override;
    bool has_buffered_input() const noexcept override;
    void close_notify() noexcept override;

private:
    static int send(void* self, const unsigned char* data, std::size_t size);
    static int receive(void* self, unsigned char* data, std::size_t size);

    // After a call returned `status` < 0: waits for what mbedTLS wants, or
    // throws http::ConnectionLost describing the failure.
    asio::awaitable<void> wait(int status, const char* doing);

    asio::ip::tcp::socket& socket_;
    std::shared_ptr<const ServerConfig> config_;  // must outlive ssl_
    mbedtls_ssl_context ssl_;
    asio::error_code io_error_;  // the socket's error behind a failed callback
    bool busy_ = false;          // a call is waiting for the socket: mbedTLS state is mid-operation
};

}  // namespace shoal::tls
