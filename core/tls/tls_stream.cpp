#include "core/tls/tls_stream.hpp"

#include <limits>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <mbedtls/net_sockets.h>

#include "core/http/exchange.hpp"
#include "core/tls/tls_error.hpp"

namespace shoal::tls {
namespace {

// Marks the stream busy while a coroutine is suspended inside an mbedTLS
// operation (close_notify must not interleave with it).
class BusyScope {
public:
    explicit BusyScope(bool& busy) : busy_(busy) { busy_ = true; }
    ~BusyScope() { busy_ = false; }
    BusyScope(const BusyScope&) = delete;
    BusyScope& operator=(const BusyScope&) = delete;

private:
    bool& busy_;
};

// mbedTLS returns lengths as int.
std::size_t clamp(std::size_t size) { return std::min<std::size_t>(size, std::numeric_limits<int>::max()); }

}  // namespace

TlsStream::TlsStream(asio::ip::tcp::socket& socket, std::shared_ptr<const ServerConfig> config)
    : socket_(socket), config_(std::move(config)) {
    mbedtls_ssl_init(&ssl_);
    try {
        check(mbedtls_ssl_setup(&ssl_, config_->get()), "tls session");
    } catch (...) {
        mbedtls_ssl_free(&ssl_);
        throw;
    }
    mbedtls_ssl_set_bio(&ssl_, this, send, receive, nullptr);
    asio::error_code ec;
    socket_.non_blocking(true, ec);  // the callbacks must never block the loop
    if (ec) {
        mbedtls_ssl_free(&ssl_);
        throw TlsError("tls session: " + ec.message());
    }
}

TlsStream::~TlsStream() { mbedtls_ssl_free(&ssl_); }

int TlsStream::send(void* self, const unsigned char* data, std::size_t size) {
    auto& stream = *static_cast<TlsStream*>(self);
    asio::error_code ec;
    const std::size_t n = stream.socket_.write_some(asio::buffer(data, clamp(size)), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (ec) {
        stream.io_error_ = ec;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return static_cast<int>(n);
}

int TlsStream::receive(void* self, unsigned char* data, std::size_t size) {
    auto& stream = *static_cast<TlsStream*>(self);
    asio::error_code ec;
    const std::size_t n = stream.socket_.read_some(asio::buffer(data, clamp(size)), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return MBEDTLS_ERR_SSL_WANT_READ;
    if (ec == asio::error::eof) return 0;  // mbedTLS: MBEDTLS_ERR_SSL_CONN_EOF
    if (ec) {
        stream.io_error_ = ec;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
    return static_cast<int>(n);
}

asio::awaitable<void> TlsStream::wait(int status, const char* doing) {
    asio::socket_base::wait_type what;
    if (status == MBEDTLS_ERR_SSL_WANT_READ) {
        what = asio::socket_base::wait_read;
    } else if (status == MBEDTLS_ERR_SSL_WANT_WRITE) {
        what = asio::socket_base::wait_write;
    } else {
        const std::string cause = io_error_ ? io_error_.message() : mbedtls_error_text(status);
        throw http::ConnectionLost(std::string("tls ") + doing + " failed: " + cause);
    }
    asio::error_code ec;
    co_await socket_.async_wait(what, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw http::ConnectionLost(std::string("tls ") + doing + " failed: " + ec.message());
}

asio::awaitable<void> TlsStream::open() {
    const BusyScope busy(busy_);
    while (true) {
        const int status = mbedtls_ssl_handshake(&ssl_);
        if (status == 0) co_return;
        co_await wait(status, "handshake");
    }
}

asio::awaitable<std::size_t> TlsStream::read_some(std::span<char> out) {
    const BusyScope busy(busy_);
    while (true) {
        const int status = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(out.data()), clamp(out.size()));
        if (status > 0) co_return static_cast<std::size_t>(status);
        // The peer's close_notify, or a bare close (the HTTP framing tells a truncated body).
        if (status == 0 || status == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || status == MBEDTLS_ERR_SSL_CONN_EOF) {
            co_return 0;
        }
        co_await wait(status, "read");
    }
}

asio::awaitable<void> TlsStream::write_all(std::span<const asio::const_buffer> buffers) {
    const BusyScope busy(busy_);
    for (const asio::const_buffer& buffer : buffers) {
        const auto* data = static_cast<const unsigned char*>(buffer.data());
        std::size_t left = buffer.size();
        while (left > 0) {
            // After WANT_WRITE mbedTLS must be called again with the same
            // arguments: it sends the record it kept, then reports its length.
            const int status = mbedtls_ssl_write(&ssl_, data, clamp(left));
            if (status >= 0) {
                data += status;
                left -= static_cast<std::size_t>(status);
            } else {
                co_await wait(status, "write");
            }
        }
    }
}

bool TlsStream::has_buffered_input() const noexcept {
    return mbedtls_ssl_get_bytes_avail(&ssl_) > 0 || mbedtls_ssl_check_pending(&ssl_) != 0;
}

void TlsStream::close_notify() noexcept {
    if (!busy_) mbedtls_ssl_close_notify(&ssl_);  // one try; the socket closes next
}

}  // namespace shoal::tls
