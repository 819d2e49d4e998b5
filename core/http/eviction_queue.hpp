// Which connection to close when a new one arrives at max_connections.
// Internal to http/.
//
// Every connection is in one of three lists, by what it is doing:
//   for_head  no complete request head yet: a fresh connection (nothing sent,
//             a TLS handshake, a head arriving byte by byte), or a keep-alive
//             one whose next head has begun;
//   idle      a keep-alive connection waiting, nothing of its next request sent;
//   busy      a request in flight (its handler runs).
// A connection goes to the back of a list when it enters it, so each list is
// ordered by how long its members have waited. At the limit the acceptor
// evicts the front of for_head (it has waited longest without completing a
// head: slowloris, idle sockets), else the front of idle, and never a busy one:
// a client that sends its request at once is served however many sockets a
// flood holds open. A connection picked while it completes its head finds out
// when it tries to become busy, and closes instead (the pick came first).
//
// Thread-safe: one mutex, held for a few pointer moves (connections live on
// different loops; the acceptor picks on loop 0).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

namespace shoal::http {

class Connection;

class EvictionQueue {
public:
    enum class Place : std::uint8_t { for_head, idle, busy };

    // A connection's place in the queue; owned by the connection, touched
    // only through the queue (under its mutex).
    class Ticket {
    public:
        explicit Ticket(Connection& owner) : owner_(owner) {}

    private:
        friend class EvictionQueue;
        Connection& owner_;
        std::list<Ticket*>::iterator node_;
        Place place_ = Place::for_head;
        bool listed_ = false;
        bool evicted_ = false;
    };

    struct Victim {
        std::shared_ptr<Connection> connection;  // null if it was already ending
        Place was;
    };

    EvictionQueue() = default;
    EvictionQueue(const EvictionQueue&) = delete;
    EvictionQueue& operator=(const EvictionQueue&) = delete;

    // A new connection, waiting for its first request head.
    void enter(Ticket& ticket);
    // Moves to the back of `place`'s list. Returns false if the connection
    // has been picked for eviction: it must close (and serve nothing more).
    bool move(Ticket& ticket, Place place);
    // The connection ends (from its destructor).
    void leave(Ticket& ticket);

    // Takes the connection to evict out of the lists, marked evicted; nullopt
    // when every connection has a request in flight. The caller closes it
    // (on its loop).
    std::optional<Victim> pick();

private:
    std::list<Ticket*>& list_of(Place place);

    std::mutex mutex_;
    std::list<Ticket*> for_head_;
    std::list<Ticket*> idle_;
    std::list<Ticket*> busy_;
};

}  // namespace shoal::http
