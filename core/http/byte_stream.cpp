#include "core/http/byte_stream.hpp"

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "core/http/exchange.hpp"

namespace shoal::http {

asio::awaitable<std::size_t> PlainStream::read_some(std::span<char> out) {
    asio::error_code ec;
    const std::size_t n =
        co_await socket_.async_read_some(asio::buffer(out.data(), out.size()), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::eof) co_return 0;
    if (ec) throw ConnectionLost("read failed: " + ec.message());
    co_return n;
}

asio::awaitable<void> PlainStream::write_all(std::span<const asio::const_buffer> buffers) {
    asio::error_code ec;
    co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw ConnectionLost("write failed: " + ec.message());
}

}  // namespace shoal::http
