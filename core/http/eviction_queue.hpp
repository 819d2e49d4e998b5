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
// different loops; the acceptor picks on loop 0). A template only so that
// tests can queue something lighter than a Connection.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

namespace shoal::http {

enum class WaitPlace : std::uint8_t { for_head, idle, busy };

template <typename Owner>
class BasicEvictionQueue {
public:
    using Place = WaitPlace;

    // A connection's place in the queue; owned by the connection, touched
    // only through the queue (under its mutex).
    class Ticket {
    private:
        friend class BasicEvictionQueue;
        std::weak_ptr<Owner> owner_;
        typename std::list<Ticket*>::iterator node_;
        Place place_ = Place::for_head;
        bool listed_ = false;
        bool evicted_ = false;
    };

    struct Victim {
        std::shared_ptr<Owner> connection;  // null if it was already ending
        Place was;
    };

    BasicEvictionQueue() = default;
    BasicEvictionQueue(const BasicEvictionQueue&) = delete;
    BasicEvictionQueue& operator=(const BasicEvictionQueue&) = delete;

    // A new connection, waiting for its first request head.
    void enter(Ticket& ticket, std::weak_ptr<Owner> owner) {
        const std::lock_guard lock(mutex_);
        ticket.owner_ = std::move(owner);
        ticket.place_ = Place::for_head;
        ticket.node_ = for_head_.insert(for_head_.end(), &ticket);
        ticket.listed_ = true;
    }

    // Moves to the back of `place`'s list. Returns false if the connection
    // has been picked for eviction: it must close (and serve nothing more).
    bool move(Ticket& ticket, Place place) {
        const std::lock_guard lock(mutex_);
        if (ticket.evicted_ || !ticket.listed_) return false;
        std::list<Ticket*>& to = list_of(place);
        to.splice(to.end(), list_of(ticket.place_), ticket.node_);  // the node moves: no allocation
        ticket.place_ = place;
        return true;
    }

    // The connection ends (from its destructor).
    void leave(Ticket& ticket) {
        const std::lock_guard lock(mutex_);
        if (!ticket.listed_) return;
        list_of(ticket.place_).erase(ticket.node_);
        ticket.listed_ = false;
    }

    // Takes the connection to evict out of the lists, marked evicted; nullopt
    // when every connection has a request in flight. The caller closes it
    // (on its loop).
    std::optional<Victim> pick() {
        const std::lock_guard lock(mutex_);
        for (std::list<Ticket*>* candidates : {&for_head_, &idle_}) {
            if (candidates->empty()) continue;
            Ticket& ticket = *candidates->front();
            candidates->pop_front();
            ticket.listed_ = false;
            ticket.evicted_ = true;
            // A connection whose destructor already runs (waiting for this
            // mutex to leave) cannot be locked: it ends by itself, freeing its place.
            return Victim{ticket.owner_.lock(), ticket.place_};
        }
        return std::nullopt;
    }

private:
    std::list<Ticket*>& list_of(Place place) {
        switch (place) {
            case Place::for_head: return for_head_;
            case Place::idle: return idle_;
            case Place::busy: break;
        }
        return busy_;
    }

    std::mutex mutex_;
    std::list<Ticket*> for_head_;
    std::list<Ticket*> idle_;
    std::list<Ticket*> busy_;
};

class Connection;
using EvictionQueue = BasicEvictionQueue<Connection>;

}  // namespace shoal::http
