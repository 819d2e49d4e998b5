#include "core/http/eviction_queue.hpp"

#include <catch2/catch.hpp>

namespace {

struct Connection {};  // (the queue holds weak pointers to its owners, nothing more)
using EvictionQueue = shoal::http::BasicEvictionQueue<Connection>;
using Place = EvictionQueue::Place;

}  // namespace

namespace {

// The connection the queue gives up, or null when it gives none.
Connection* picked(EvictionQueue& queue, Place* was = nullptr) {
    const auto victim = queue.pick();
    if (!victim) return nullptr;
    if (was != nullptr) *was = victim->was;
    REQUIRE(victim->connection != nullptr);
    return victim->connection.get();
}

}  // namespace

TEST_CASE("eviction takes the longest wait for a head, then the longest idle, never a busy connection", "[http]") {
    EvictionQueue queue;
    std::vector<std::shared_ptr<Connection>> connections;
    std::vector<EvictionQueue::Ticket> tickets(5);
    for (auto& ticket : tickets) {
        connections.push_back(std::make_shared<Connection>());
        queue.enter(ticket, connections.back());
    }
    // 0: in flight; 1, 3: idle (1 first); 2, 4: waiting for a head, 4 since before 2.
    CHECK(queue.move(tickets[0], Place::busy));
    CHECK(queue.move(tickets[3], Place::busy));
    CHECK(queue.move(tickets[1], Place::busy));
    CHECK(queue.move(tickets[1], Place::idle));
    CHECK(queue.move(tickets[3], Place::idle));
    CHECK(queue.move(tickets[4], Place::for_head));  // (it entered last, but moves to the back again)
    CHECK(queue.move(tickets[2], Place::for_head));

    Place was{};
    CHECK(picked(queue, &was) == connections[4].get());
    CHECK(was == Place::for_head);
    CHECK(picked(queue) == connections[2].get());
    CHECK(picked(queue, &was) == connections[1].get());
    CHECK(was == Place::idle);
    CHECK(picked(queue) == connections[3].get());
    CHECK(picked(queue) == nullptr);  // only the busy one is left
    CHECK_FALSE(queue.pick().has_value());

    // A picked connection may not become busy (nor anything else) any more.
    CHECK_FALSE(queue.move(tickets[4], Place::busy));
    CHECK_FALSE(queue.move(tickets[1], Place::for_head));
    CHECK(queue.move(tickets[0], Place::idle));  // the busy one ends its request: a candidate again
    CHECK(picked(queue) == connections[0].get());
    for (auto& ticket : tickets) queue.leave(ticket);  // leaving after a pick is harmless
}

TEST_CASE("a connection that left is never picked; one already ending is picked without an owner", "[http]") {
    EvictionQueue queue;
    EvictionQueue::Ticket left, ending, waiting;
    auto a = std::make_shared<Connection>();
    auto b = std::make_shared<Connection>();
    auto c = std::make_shared<Connection>();
    queue.enter(left, a);
    queue.enter(ending, b);
    queue.enter(waiting, c);
    queue.leave(left);
    b.reset();  // its destructor runs: the queue cannot give it to anyone
    const auto victim = queue.pick();
    REQUIRE(victim.has_value());
    CHECK(victim->connection == nullptr);
    CHECK(picked(queue) == c.get());
    CHECK_FALSE(queue.pick().has_value());
}
