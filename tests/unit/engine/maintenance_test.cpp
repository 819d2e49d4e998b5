// The maintenance thread against real files: damage reported by reads is
// repaired; damaged metadata records are named and walked past, and a step
// that fails is logged and retried, never ending the thread.
#include <catch2/catch.hpp>

#include <thread>

#include "core/engine/maintenance.hpp"
#include "chunk/chunk_test_util.hpp"
#include "engine/engine_node.hpp"
#include "meta/damage_util.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::bytes_of;

namespace {

constexpr std::uint64_t kChunk = 64 * 1024;

engine::MaintenanceOptions options_for(EngineNode& node, std::uint64_t scrub_rate = 0) {
    engine::MaintenanceOptions options;
    options.state_dir = node.root() / "state";
    std::filesystem::create_directories(options.state_dir);
    options.attached_file = options.state_dir / "drives.added";
    options.scrub_rate = scrub_rate;
    options.scrub_interval = std::chrono::milliseconds(50);
    return options;
}

template <typename Predicate>
bool eventually(Predicate done, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace

TEST_CASE("a read that finds damage gets its version repaired", "[engine]") {
    EngineNode node(4);
    const std::string body = bytes_of(2 * kChunk, 1);
    const meta::ObjectVersion v = node.put("k", body, "THREECOPIES");
    engine::Maintenance maintenance(node.store(), options_for(node));
    node.store().set_damage_handler([&](engine::DamageReport r) { maintenance.report_damage(std::move(r)); });
    maintenance.start();
    std::filesystem::remove(node.file_of(v.chunks[0]));
    CHECK(node.read(v) == body);  // served from another copy, and reported
    CHECK(eventually([&] { return node.newest("k")->chunks != v.chunks; }));
    const meta::ObjectVersion now = *node.newest("k");
    CHECK(testing::pieces_on_distinct_drives(now.chunks));
    CHECK(node.chunk_files().size() == 6);
    maintenance.stop();
    node.store().set_damage_handler({});
}

TEST_CASE("the scrub names damaged records, goes on past them, and survives a bucket it cannot read", "[engine]") {
    EngineNode node(2);
    node.meta().write([](meta::Catalog& c) { c.create_bucket("other", 1); });
    node.put("damaged-key", bytes_of(kChunk, 2), "TWOCOPIES");
    node.put("b", bytes_of(kChunk, 3), "TWOCOPIES");
    node.restart([&] {
        REQUIRE(testing::damage_records(node.meta_dir(), "versions", testing::holding("damaged-key"),
                                        [](std::string v) { return v + "?"; }) == 1);
    });
    {
        engine::Maintenance maintenance(node.store(), options_for(node, 64 << 20));
        maintenance.start();
        CHECK(eventually([&] { return maintenance.scrub_status().passes >= 1; }));
        CHECK(node.log().has("scrub: damaged metadata record"));
        CHECK(node.log().has("object bucket/damaged-key"));
        CHECK(maintenance.scrub_status().pass.unrecoverable >= 1);
        CHECK(maintenance.scrub_status().pass.versions >= 1);  // b was scrubbed
    }
    // A bucket record that cannot be read stops every walk at the bucket list:
    // the step fails, is logged, and the thread waits to try again.
    node.restart([&] {
        REQUIRE(testing::damage_records(node.meta_dir(), "buckets", testing::holding("other"),
                                        [](std::string v) { return v.substr(0, 3); }) == 1);
        std::filesystem::remove_all(node.root() / "state");  // a new pass at once
    });
    engine::Maintenance maintenance(node.store(), options_for(node, 64 << 20));
    maintenance.start();
    CHECK(eventually([&] { return node.log().has("maintenance step failed, trying again later"); }));
    CHECK(node.log().has("(bucket other)"));
    const auto before = std::chrono::steady_clock::now();
    maintenance.stop();  // at once, though the thread waits to try again
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(5));
}

