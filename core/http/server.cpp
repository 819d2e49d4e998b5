#include "core/http/server.hpp"

#include <system_error>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "core/http/connection.hpp"
#include "core/http/server_state.hpp"

namespace shoal::http {
namespace {

std::string to_string(const asio::ip::tcp::endpoint& ep) {
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return host + ":" + std::to_string(ep.port());
}

// Answers a connection over the limit and closes it, without a coroutine of its own.
void refuse(asio::ip::tcp::socket& socket, Server::State& state) {
    const Response response = state.render_error(503, "too many open connections");
    const std::string head = serialize_head(response.status, response.headers,
                                            BodyFrame::of_length(response.body.size()), false, http_date_now());
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(response.body)};
    asio::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(buffers, ignored);  // best effort: the client may get a bare close
    socket.close(ignored);
}

// At most one report of the connection limit per this interval, however hard a flood.
constexpr std::chrono::seconds kLimitReportInterval{10};

void report_limit(Server::State& state) {
    Server::State::AtLimit& counts = state.at_limit;
    state.log.warn("http connection limit reached: connections evicted or refused",
                   {{"max_connections", state.options.max_connections},
                    {"evicted_before_a_request", counts.evicted_for_head},
                    {"evicted_idle", counts.evicted_idle},
                    {"refused_all_busy", counts.refused}});
    counts = {};
}

// Reports what was counted since the last report, once per interval, until
// an interval passes with nothing to report.
asio::awaitable<void> limit_reports(std::shared_ptr<Server::State> state) {
    asio::steady_timer timer(state->acceptor.get_executor());
    // Shutdown cancels the timer while this waits (a wait begun after the
    // acceptor closed would keep loop 0 for a whole interval).
    struct Published {
        Server::State& state;
        explicit Published(Server::State& s, asio::steady_timer& t) : state(s) { state.limit_report_timer = &t; }
        ~Published() { state.limit_report_timer = nullptr; }  // also when the frame is destroyed unresumed
    } published(*state, timer);
    while (state->acceptor.is_open()) {
        timer.expires_after(kLimitReportInterval);
        asio::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        const Server::State::AtLimit& c = state->at_limit;
        if (ec || c.evicted_for_head + c.evicted_idle + c.refused == 0) break;
        report_limit(*state);
    }
    state->limit_report_due = false;
}

// Counts one connection evicted or refused: the first after a quiet
// interval is logged at once, the next ones in a summary per interval.
void count_at_limit(const std::shared_ptr<Server::State>& state, std::uint64_t Server::State::AtLimit::*what) {
    state->at_limit.*what += 1;
    if (state->limit_report_due) return;
    report_limit(*state);
    state->limit_report_due = true;
    asio::co_spawn(state->acceptor.get_executor(), limit_reports(state), asio::detached);
}

// At max_connections: makes room for a newcomer by closing the connection
// that has waited longest without a request (EvictionQueue). Returns false
// when every connection has a request in flight.
bool evict_one(const std::shared_ptr<Server::State>& state) {
    std::optional<EvictionQueue::Victim> victim = state->waiting.pick();
    if (!victim) return false;
    if (victim->connection) Connection::evict(std::move(victim->connection));
    count_at_limit(state, victim->was == EvictionQueue::Place::idle ? &Server::State::AtLimit::evicted_idle
                                                                   : &Server::State::AtLimit::evicted_for_head);
    return true;
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> state) {
    while (state->acceptor.is_open()) {
        const std::size_t index = state->loops.next_index();
        asio::error_code ec;
        asio::ip::tcp::socket socket = co_await state->acceptor.async_accept(
            state->loops.loop(index), asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) break;
        if (ec) {
            // Out of file descriptors or memory: back off instead of spinning.
            state->log.warn("http accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        // (An evicted connection still counts until its loop has closed it;
        // it was replaced already, so a newcomer meanwhile evicts another.)
        if (state->open_connections.load(std::memory_order_relaxed) >= state->options.max_connections &&
            !evict_one(state)) {
            count_at_limit(state, &Server::State::AtLimit::refused);
            refuse(socket, *state);
            continue;
        }
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        state->open_connections.fetch_add(1, std::memory_order_relaxed);
        Connection::start(std::make_shared<Connection>(std::move(socket), state, index));
    }
}

}  // namespace

Server::Server(runtime::EventLoops& loops, ServerOptions options, log::Logger& log, Handler handler,
               ErrorRenderer render_error)
    : loops_(loops),
      state_(std::make_shared<State>(loops, options, log, std::move(handler), std::move(render_error))) {}

Server::~Server() { shutdown(); }

asio::ip::tcp::endpoint Server::listen(const asio::ip::tcp::endpoint& endpoint) {
    auto& acceptor = state_->acceptor;
    try {
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(state_->options.listen_backlog);
    } catch (const std::system_error& e) {
        asio::error_code ignored;
        acceptor.close(ignored);
        throw std::system_error(e.code(), "cannot listen on " + to_string(endpoint));
    }
    asio::co_spawn(loops_.loop(0), accept_loop(state_), asio::detached);
    return acceptor.local_endpoint();
}

void Server::shutdown() {
    if (state_->draining.exchange(true)) return;
    asio::post(loops_.loop(0), [state = state_] {
        asio::error_code ignored;
        state->acceptor.close(ignored);
        if (state->limit_report_timer != nullptr) state->limit_report_timer->cancel();  // would hold loop 0 10 s
    });
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        asio::post(loops_.loop(i), [state = state_, i] {
            // drain() may close a connection, but never destroys it here:
            // its coroutine ends later, on this loop, and only then erases it.
            for (Connection* connection : state->connections[i]) connection->drain();
        });
    }
}

std::size_t Server::open_connections() const { return state_->open_connections.load(); }

}  // namespace shoal::http
