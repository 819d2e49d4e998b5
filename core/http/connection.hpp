// One client connection: reads request heads, calls the handler, writes
// responses, until the client or a deadline closes it. Internal to http/.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "core/http/server.hpp"

namespace shoal::http {

class Connection;

// The connections living on one loop; touched only from that loop's thread.
using ConnectionSet = std::unordered_set<Connection*>;

class Connection {
public:
    Connection(asio::ip::tcp::socket socket, std::shared_ptr<Server::State> state, std::size_t loop_index);
    ~Connection();

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Registers with its loop and starts serving (call from any thread).
    static void start(std::shared_ptr<Connection> self);

    // On the connection's loop: close now if idle, else after the current response.
    void drain();

private:
    friend class Exchange;

    using Clock = std::chrono::steady_clock;

    // Each coroutine holds `self` so the connection lives as long as either runs.
    asio::awaitable<void> serve(std::shared_ptr<Connection> self);
    asio::awaitable<void> watchdog(std::shared_ptr<Connection> self);
    asio::awaitable<void> send_error(int status, std::string_view reason);
    // Runs the handler on one request; returns whether the connection stays open.
    asio::awaitable<bool> exchange(const Request& request, std::string& buffer);
    void close();
    void set_deadline(Clock::time_point deadline);  // what the watchdog enforces

    // For Exchange: body reads (0 at end of stream) and writes, each under a deadline.
    // Both throw ConnectionLost when the socket fails.
    asio::awaitable<std::size_t> read_some(std::span<char> out);
    asio::awaitable<void> write_all(std::span<const asio::const_buffer> buffers);

    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    Clock::time_point deadline_;
    std::shared_ptr<Server::State> state_;
    std::size_t loop_index_;
    bool idle_ = true;       // waiting for the first byte of a request
    bool draining_ = false;  // close after the current response
};

}  // namespace shoal::http
