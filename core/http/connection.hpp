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

#include "core/http/byte_stream.hpp"
#include "core/http/eviction_queue.hpp"
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

    // Closes it on its loop (call from any thread): picked to make room at
    // max_connections, it had no request in flight (EvictionQueue).
    static void evict(std::shared_ptr<Connection> self);

private:
    friend class Exchange;

    using Clock = std::chrono::steady_clock;

    // Each coroutine holds `self` so the connection lives as long as either runs.
    asio::awaitable<void> serve(std::shared_ptr<Connection> self);
    asio::awaitable<void> watchdog(std::shared_ptr<Connection> self);
    asio::awaitable<void> send_error(int status, std::string_view reason);
    // Runs the handler on one request; returns whether the connection stays open.
    asio::awaitable<bool> exchange(const Request& request, std::string& buffer);
    // With TLS configured: looks at the first byte and, for a TLS handshake,
    // switches to a TLS stream and completes the handshake. Returns false
    // when the connection is to close (closed client, failed handshake).
    asio::awaitable<bool> choose_stream();
    void close();
    // Moves the deadline; an earlier one re-arms the watchdog, whose timer
    // would otherwise wait for the later deadline it was set to.
    void set_deadline(Clock::time_point deadline);

    // For Exchange: body reads (0 at end of stream) and writes, each under a deadline.
    // Both throw ConnectionLost when the socket fails.
    asio::awaitable<std::size_t> read_some(std::span<char> out);
    asio::awaitable<void> write_all(std::span<const asio::const_buffer> buffers);

    asio::ip::tcp::socket socket_;
    std::unique_ptr<ByteStream> stream_;  // over socket_, destroyed before it
    asio::steady_timer timer_;
    Clock::time_point deadline_;
    std::shared_ptr<Server::State> state_;
    std::size_t loop_index_;
    EvictionQueue::Ticket ticket_;  // where it stands for eviction at the connection limit
    bool idle_ = true;       // waiting for the first byte of a request
    bool served_ = false;    // has answered a request (waiting again is keep-alive)
    bool evicted_ = false;   // closed to make room: not worth a log line of its own
    bool draining_ = false;  // close after the current response
    bool refuse_plain_ = false;  // plain HTTP on a port that wants TLS: answer 400
};

}  // namespace shoal::http
