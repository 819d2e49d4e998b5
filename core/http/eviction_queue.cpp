#include "core/http/eviction_queue.hpp"

#include "core/http/connection.hpp"

namespace shoal::http {

std::list<EvictionQueue::Ticket*>& EvictionQueue::list_of(Place place) {
    switch (place) {
        case Place::for_head: return for_head_;
        case Place::idle: return idle_;
        case Place::busy: break;
    }
    return busy_;
}

void EvictionQueue::enter(Ticket& ticket) {
    const std::lock_guard lock(mutex_);
    ticket.place_ = Place::for_head;
    ticket.node_ = for_head_.insert(for_head_.end(), &ticket);
    ticket.listed_ = true;
}

bool EvictionQueue::move(Ticket& ticket, Place place) {
    const std::lock_guard lock(mutex_);
    if (ticket.evicted_ || !ticket.listed_) return false;
    // A splice: no allocation, the node moves.
    std::list<Ticket*>& to = list_of(place);
    to.splice(to.end(), list_of(ticket.place_), ticket.node_);
    ticket.place_ = place;
    return true;
}

void EvictionQueue::leave(Ticket& ticket) {
    const std::lock_guard lock(mutex_);
    if (!ticket.listed_) return;
    list_of(ticket.place_).erase(ticket.node_);
    ticket.listed_ = false;
}

std::optional<EvictionQueue::Victim> EvictionQueue::pick() {
    const std::lock_guard lock(mutex_);
    for (std::list<Ticket*>* candidates : {&for_head_, &idle_}) {
        if (candidates->empty()) continue;
        Ticket& ticket = *candidates->front();
        candidates->pop_front();
        ticket.listed_ = false;
        ticket.evicted_ = true;
        // A connection whose destructor already runs (waiting for this mutex
        // to leave) cannot be locked: it ends by itself, freeing its place.
        return Victim{ticket.owner_.weak_from_this().lock(), ticket.place_};
    }
    return std::nullopt;
}

}  // namespace shoal::http
