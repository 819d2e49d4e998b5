// State shared by a Server and its connections. Internal to http/.
// Held by shared_ptr: connections can outlive the Server object (their
// coroutine frames are destroyed with the event loops).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "core/http/connection.hpp"
#include "core/http/server.hpp"

namespace shoal::http {

struct Server::State {
    State(runtime::EventLoops& loops_, ServerOptions options_, log::Logger& log_, Handler handler_,
          ErrorRenderer render_error_)
        : loops(loops_),
          options(options_),
          log(log_),
          handler(std::move(handler_)),
          render_error(std::move(render_error_)),
          connections(loops_.size()),
          acceptor(loops_.loop(0)) {}

    runtime::EventLoops& loops;
    const ServerOptions options;
    log::Logger& log;
    const Handler handler;
    const ErrorRenderer render_error;

    std::vector<ConnectionSet> connections;  // [loop index], each touched only on its loop
    EvictionQueue waiting;                   // every connection, for eviction at max_connections
    std::atomic<std::size_t> open_connections{0};
    std::atomic<bool> draining{false};
    asio::ip::tcp::acceptor acceptor;  // lives on loop 0

    // Connections evicted or refused at max_connections, reported at a
    // bounded rate (server.cpp). Loop 0 only, like the acceptor.
    struct AtLimit {
        std::uint64_t evicted_for_head = 0;  // had not completed a request head
        std::uint64_t evicted_idle = 0;      // idle keep-alive
        std::uint64_t refused = 0;           // every connection had a request in flight: 503
    };
    AtLimit at_limit;
    bool limit_report_due = false;  // a report is scheduled
    // The reporting coroutine's timer while it waits, for shutdown to cancel.
    // (It lives in the coroutine's frame: a timer here could outlive loop 0's
    // services, the State being released by handlers of other loops.)
    asio::steady_timer* limit_report_timer = nullptr;
};

}  // namespace shoal::http
