#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/engine/read_leases.hpp"

using shoal::engine::ReadLeases;
using shoal::meta::ChunkRef;

namespace {

std::vector<ChunkRef> refs(std::initializer_list<const char*> ids) {
    std::vector<ChunkRef> out;
    for (const char* id : ids) {
        ChunkRef r;
        r.chunk_id = id;
        out.push_back(r);
    }
    return out;
}

std::vector<std::string> ids(const std::vector<ChunkRef>& rs) {
    std::vector<std::string> out;
    for (const ChunkRef& r : rs) out.push_back(r.chunk_id);
    return out;
}

}  // namespace

TEST_CASE("chunks retired with no reader are removed at once", "[engine]") {
    std::vector<std::string> reclaimed;
    ReadLeases leases([&](std::vector<ChunkRef> r) { for (auto& id : ids(r)) reclaimed.push_back(id); });
    CHECK(ids(leases.retire(refs({"a", "b"}))) == std::vector<std::string>{"a", "b"});
    { auto lease = leases.acquire(); }
    CHECK(ids(leases.retire(refs({"c"}))) == std::vector<std::string>{"c"});
    CHECK(reclaimed.empty());
}

TEST_CASE("chunks wait for every lease held when they were retired, and no longer", "[engine]") {
    std::vector<std::string> reclaimed;
    ReadLeases leases([&](std::vector<ChunkRef> r) { for (auto& id : ids(r)) reclaimed.push_back(id); });
    auto first = leases.acquire();
    CHECK(leases.retire(refs({"a"})).empty());  // first may be reading a
    auto second = leases.acquire();             // came after a was retired: cannot see it
    CHECK(leases.retire(refs({"b"})).empty());  // first and second may be reading b
    CHECK(leases.held() == 2);
    CHECK(leases.waiting() == 2);

    first.end();
    CHECK(reclaimed == std::vector<std::string>{"a"});  // only first was in a's way
    first.end();                                        // idempotent
    CHECK(leases.waiting() == 1);

    ReadLeases::Lease moved = std::move(second);
    second.end();  // moved from: nothing to release
    CHECK(leases.waiting() == 1);
    moved = leases.acquire();  // releases the old one on assignment
    CHECK(reclaimed == std::vector<std::string>{"a", "b"});
    CHECK(leases.held() == 1);
    CHECK(leases.waiting() == 0);
}
