// The maintenance thread against real files: damage reported by reads is
// repaired; damaged metadata records are named and walked past, and a step
// that fails is logged and retried, never ending the thread.
#include <catch2/catch.hpp>

#include <thread>

#include "core/engine/drive_attach.hpp"
#include "core/engine/maintenance.hpp"
#include "chunk/chunk_test_util.hpp"
#include "engine/engine_node.hpp"
#include "meta/damage_util.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::bytes_of;
using shoal::testing::run;

namespace {

constexpr std::uint64_t kChunk = 64 * 1024;

engine::MaintenanceOptions options_for(EngineNode& node, std::uint64_t scrub_rate = 0) {
    engine::MaintenanceOptions options;
    options.state_dir = node.root() / "state";
    std::filesystem::create_directories(options.state_dir);
    options.attached_file = options.state_dir / "drives.added";
    options.scrub_rate = scrub_rate;
    options.scrub_interval = std::chrono::milliseconds(50);
    options.drive_look = std::chrono::milliseconds(100);
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

TEST_CASE("a version stored short gets its missing pieces once a drive can take them, without a scrub", "[engine]") {
    EngineNode node(3);
    node.conscience().report_failure(node.id(2), "test: failed");
    const std::string body = bytes_of(3 * kChunk, 40);
    const meta::ObjectVersion v = node.put("short", body, "THREECOPIES");
    REQUIRE(v.chunks.size() == 6);
    engine::Maintenance maintenance(node.store(), options_for(node));  // scrub off
    node.store().set_queued_handler([&](std::uint64_t seq) { maintenance.report_queued(seq); });
    maintenance.start();
    // No drive can take the third copies: the version waits in the queue.
    CHECK(eventually([&] { return maintenance.queue_status().passes >= 1; }));
    CHECK(maintenance.queue_status().waiting);
    CHECK(node.meta().snapshot().catalog().queued_repairs(0, 10).size() == 1);
    CHECK(node.newest("short")->chunks == v.chunks);
    // Passed over from its metadata alone: no repair tried, nothing logged.
    CHECK_FALSE(node.log().has("chunk rebuilt short of its policy"));

    // A drive attached: it takes writes, so the queue is worked through again.
    const std::filesystem::path added = node.root() / "added";
    engine::attach_drive(node.store(), added, node.root() / "state" / "drives.added");
    CHECK(eventually([&] { return node.meta().snapshot().catalog().queued_repairs(0, 10).empty(); }));
    const meta::ObjectVersion now = *node.newest("short");
    for (const auto& [offset, pieces] : testing::by_chunk(now.chunks)) CHECK(pieces.size() == 3);
    CHECK(testing::pieces_on_distinct_drives(now.chunks));
    CHECK(node.read(now) == body);
    CHECK(eventually([&] { return maintenance.queue_status().repaired == 1 && !maintenance.queue_status().waiting; }));
    CHECK(maintenance.scrub_status().passes == 0);
    CHECK(node.log().has("queued repair done: the version has all its pieces"));
    maintenance.stop();
    node.store().set_queued_handler({});
}

TEST_CASE("the repair queue survives a restart, and is worked through at the next start", "[engine]") {
    EngineNode node(3);
    node.conscience().report_failure(node.id(0), "test: failed");
    const std::string body = bytes_of(kChunk + 1, 41);
    const meta::ObjectVersion v = node.put("short", body, "THREECOPIES");
    node.put("gone", bytes_of(kChunk, 42), "THREECOPIES");
    run(node.store().remove("bucket", "gone", std::nullopt));  // queued, then deleted
    REQUIRE(node.meta().snapshot().catalog().queued_repairs(0, 10).size() == 2);
    node.restart();  // every drive takes writes again
    REQUIRE(node.meta().snapshot().catalog().queued_repairs(0, 10).size() == 2);
    engine::Maintenance maintenance(node.store(), options_for(node));
    maintenance.start();
    CHECK(eventually([&] { return node.meta().snapshot().catalog().queued_repairs(0, 10).empty(); }));
    for (const auto& [offset, pieces] : testing::by_chunk(node.newest("short")->chunks)) CHECK(pieces.size() == 3);
    CHECK(node.read(*node.newest("short")) == body);
    CHECK(eventually([&] { return maintenance.queue_status().passes >= 1; }));
    CHECK(maintenance.queue_status().repaired == 1);  // (counted with the pass)
    CHECK(maintenance.queue_status().dropped == 1);
}

TEST_CASE("a repair that ends short of pieces queues its version, unless it works the queue itself", "[engine]") {
    EngineNode node(3);
    const meta::ObjectVersion v = node.put("k", bytes_of(kChunk, 43), "THREECOPIES");
    std::filesystem::remove(node.file_of(v.chunks[0]));
    node.conscience().report_failure(v.chunks[0].drive, "test: failed");
    engine::repair_version(node.store(), "bucket", v, engine::PieceCheck{}, engine::QueueShort::no);
    CHECK(node.meta().snapshot().catalog().queued_repairs(0, 10).empty());
    const engine::RepairStats stats = engine::repair_version(node.store(), "bucket", v, engine::PieceCheck{});
    CHECK(stats.short_of == 1);
    const auto queued = node.meta().snapshot().catalog().queued_repairs(0, 10);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].seq == v.seq);
    CHECK_THAT(queued[0].record.reason, Catch::Contains("0 drives can take them"));
}
