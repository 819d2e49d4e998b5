#include "core/http/connection.hpp"

#include <array>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "core/http/exchange.hpp"
#include "core/http/server_state.hpp"

namespace shoal::http {
namespace {

// Bytes asked of the socket per read while collecting a request head.
constexpr std::size_t kReadChunk = 4096;

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, std::shared_ptr<Server::State> state, std::size_t loop_index)
    : socket_(std::move(socket)),
      stream_(std::make_unique<PlainStream>(socket_)),
      timer_(socket_.get_executor()),
      state_(std::move(state)),
      loop_index_(loop_index) {}

Connection::~Connection() {
    state_->waiting.leave(ticket_);
    state_->connections[loop_index_].erase(this);
    state_->open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start(std::shared_ptr<Connection> self) {
    self->state_->waiting.enter(self->ticket_, self);  // a candidate for eviction from now on
    auto loop = self->socket_.get_executor();
    asio::post(loop, [self = std::move(self)]() mutable {
        self->state_->connections[self->loop_index_].insert(self.get());
        if (self->state_->draining.load()) self->draining_ = true;
        self->set_deadline(Clock::now() + self->state_->options.idle_timeout);
        auto executor = self->socket_.get_executor();
        Connection& connection = *self;
        asio::co_spawn(executor, connection.watchdog(self), asio::detached);
        asio::co_spawn(executor, connection.serve(std::move(self)), asio::detached);
    });
}

void Connection::drain() {
    draining_ = true;
    if (idle_) close();
}

void Connection::evict(std::shared_ptr<Connection> self) {
    auto loop = self->socket_.get_executor();
    asio::post(loop, [self = std::move(self)] {
        self->evicted_ = true;
        if (self->socket_.is_open()) self->close();
    });
}

void Connection::close() {
    if (socket_.is_open()) stream_->close_notify();
    asio::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
}

void Connection::set_deadline(Clock::time_point deadline) {
    deadline_ = deadline;
    // The watchdog sleeps until the deadline it last saw; a later one it finds
    // when it wakes, a sooner one (header_timeout after idle_timeout) needs a wake-up.
    if (deadline < timer_.expiry()) timer_.cancel();
}

// Closes the socket when the current deadline passes; every pending operation
// on the connection then fails and serve() ends.
asio::awaitable<void> Connection::watchdog(std::shared_ptr<Connection> /*self*/) {
    while (socket_.is_open()) {
        timer_.expires_at(deadline_);
        asio::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (socket_.is_open() && deadline_ <= Clock::now()) {
            state_->log.debug("http connection timed out", {{"idle", idle_}});
            close();
        }
    }
}

asio::awaitable<std::size_t> Connection::read_some(std::span<char> out) {
    set_deadline(Clock::now() + state_->options.body_timeout);
    co_return co_await stream_->read_some(out);
}

asio::awaitable<void> Connection::write_all(std::span<const asio::const_buffer> buffers) {
    set_deadline(Clock::now() + state_->options.send_timeout);
    co_await stream_->write_all(buffers);
}

asio::awaitable<bool> Connection::choose_stream() {
    const ServerOptions& options = state_->options;
    // Waits (idle, under idle_timeout) for the first byte without taking it.
    std::array<char, 1> first{};
    asio::error_code ec;
    const std::size_t n = co_await socket_.async_receive(asio::buffer(first), asio::socket_base::message_peek,
                                                         asio::redirect_error(asio::use_awaitable, ec));
    if (ec || n == 0) co_return false;
    constexpr char kTlsHandshakeRecord = 0x16;
    if (first[0] != kTlsHandshakeRecord) {
        refuse_plain_ = !options.plain_http;
        co_return true;
    }
    idle_ = false;
    set_deadline(Clock::now() + options.header_timeout);
    std::string failure;
    try {
        stream_ = options.tls(socket_);
        co_await stream_->open();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure.empty()) co_return true;
    if (evicted_) co_return false;  // counted by the acceptor, not logged one by one
    if (!socket_.is_open() && deadline_ <= Clock::now()) failure = "no complete handshake within header_timeout";
    // A failed handshake is the client's business (a scanner, a wrong CA, an
    // old client): logged for the operator, harmless to other connections.
    const auto peer = socket_.remote_endpoint(ec);
    state_->log.info("tls handshake failed",
                     {{"peer", ec ? std::string("?") : peer.address().to_string() + ":" + std::to_string(peer.port())},
                      {"error", failure}});
    co_return false;
}

// Answers a request the server rejects itself; the connection closes after it.
asio::awaitable<void> Connection::send_error(int status, std::string_view reason) {
    const Response response = state_->render_error(status, reason);
    const std::string head = serialize_head(response.status, response.headers,
                                            BodyFrame::of_length(response.body.size()), false, http_date_now());
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(response.body)};
    try {
        co_await write_all(buffers);
    } catch (const ConnectionLost&) {
        // The client is gone; nothing more to tell it.
    }
}

asio::awaitable<bool> Connection::exchange(const Request& request, std::string& buffer) {
    const bool draining = draining_ || state_->draining.load();
    Exchange exchange(*this, request, buffer, draining);
    std::optional<std::pair<int, std::string>> failure;  // answered after the handler unwinds
    try {
        co_await state_->handler(exchange);
    } catch (const BodyError& e) {
        failure.emplace(e.status(), e.what());
    } catch (const ConnectionLost& e) {
        state_->log.debug("http connection lost", {{"path", request.path()}, {"error", e.what()}});
        co_return false;
    } catch (const std::exception& e) {
        // The detail is for the log: the error renderer logs it under the
        // answer's request id and tells the client less.
        failure.emplace(500, "http handler failed: " + request.method + " " + std::string(request.path()) + ": " +
                                 e.what());
    }
    if (failure) {
        state_->log.debug("http request failed", {{"path", request.path()},
                                                  {"status", failure->first}, {"reason", failure->second}});
        if (!exchange.response_started()) {
            co_await send_error(failure->first, failure->second);
        } else if (failure->first >= 500) {
            state_->log.error("http handler failed after its response began", {{"error", failure->second}});
        }
        co_return false;
    }
    if (!exchange.response_started()) {
        co_await send_error(500, "http handler sent no response: " + request.method + " " + std::string(request.path()));
        co_return false;
    }
    state_->log.debug("http request", {{"method", request.method},
                                       {"path", request.path()},
                                       {"status", exchange.response_status()}});
    if (!exchange.response_finished() || !exchange.keep_alive()) co_return false;
    try {
        co_return co_await exchange.discard_rest_of_body();
    } catch (const std::exception&) {
        co_return false;
    }
}

asio::awaitable<void> Connection::serve(std::shared_ptr<Connection> /*self*/) {
    const ServerOptions& options = state_->options;
    std::string buffer;
    try {
        if (options.tls && !co_await choose_stream()) {
            close();
            co_return;
        }
        while (true) {
            // Collect one request head.
            idle_ = buffer.empty();
            // Waiting again after an answer: idle keep-alive, or a pipelined
            // head under way (a new connection waits for_head from its start).
            if (served_) {
                state_->waiting.move(ticket_, idle_ ? EvictionQueue::Place::idle : EvictionQueue::Place::for_head);
            }
            set_deadline(Clock::now() + (idle_ ? options.idle_timeout : options.header_timeout));
            std::size_t scanned = 0;
            std::size_t head_end;
            bool line_checked = false;  // the request line arrived whole and valid
            while ((head_end = find_head_end(buffer, scanned)) == std::string::npos) {
                if (!line_checked && !buffer.empty()) {
                    if (const auto err = check_request_start(buffer, options.limits)) {
                        state_->log.debug("http request rejected", {{"status", err->status}, {"reason", err->reason}});
                        co_await send_error(err->status, err->reason);
                        close();
                        co_return;
                    }
                    line_checked = buffer.find("\r\n") != std::string::npos;
                }
                if (buffer.size() > options.limits.max_head_bytes) {
                    co_await send_error(431, "request head too large");
                    close();
                    co_return;
                }
                if (idle_ && (draining_ || state_->draining.load())) {
                    close();
                    co_return;
                }
                asio::error_code ec;
                if (buffer.empty() && !stream_->has_buffered_input()) {
                    // Thousands of connections may sit idle: none holds a read
                    // buffer until its client sends something. (Bytes TLS has
                    // already taken off the socket would not wake the wait.)
                    std::string().swap(buffer);
                    co_await socket_.async_wait(asio::socket_base::wait_read,
                                                asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) {
                        close();
                        co_return;
                    }
                }
                scanned = buffer.size();
                buffer.resize(scanned + kReadChunk);
                std::size_t n = 0;
                try {
                    n = co_await stream_->read_some(std::span<char>(buffer.data() + scanned, kReadChunk));
                } catch (const ConnectionLost&) {
                    n = 0;  // closed below, like at the end of the stream
                }
                buffer.resize(scanned + n);
                if (n == 0) {
                    close();
                    co_return;
                }
                if (idle_) {
                    // The whole head must now arrive within header_timeout (slow clients).
                    idle_ = false;
                    set_deadline(Clock::now() + options.header_timeout);
                    if (served_) state_->waiting.move(ticket_, EvictionQueue::Place::for_head);
                }
            }
            idle_ = false;

            if (refuse_plain_) {
                // Read the head first: a client closed on unread data may see a reset, not the answer.
                state_->log.debug("http request refused: plain HTTP on a TLS-only port");
                co_await send_error(400, "this port serves HTTPS only; use an https:// URL");
                close();
                co_return;
            }
            ParseResult parsed = parse_request_head(std::string_view(buffer).substr(0, head_end), options.limits);
            if (auto* err = std::get_if<ParseError>(&parsed)) {
                state_->log.debug("http request rejected", {{"status", err->status}, {"reason", err->reason}});
                co_await send_error(err->status, err->reason);
                close();
                co_return;
            }
            buffer.erase(0, head_end);
            // In flight from here: never evicted. Picked while the head
            // arrived, it closes instead (the room is promised to another).
            if (!state_->waiting.move(ticket_, EvictionQueue::Place::busy)) {
                close();
                co_return;
            }
            served_ = true;
            // The head is in: no client to wait for until the handler reads the
            // body or writes (each sets its own deadline). A handler's long work
            // (a DELETE of 10,000 parts) must not run into header_timeout.
            deadline_ = Clock::time_point::max();
            if (!co_await exchange(std::get<Request>(parsed), buffer)) {
                close();
                co_return;
            }
        }
    } catch (const std::exception& e) {
        // Allocation failure or a bug: lose this connection, never the process.
        state_->log.error("http connection failed", {{"error", e.what()}});
        close();
    }
}

}  // namespace shoal::http
