// The orphan collection function itself (when it may run is the caller's
// business): chunks no metadata lists are removed; chunks of versions (any
// policy, current or not), of open uploads' parts and of completed multipart
// objects are kept, and so are chunks newer than the cut-off and chunks a
// damaged record may list.
#include <catch2/catch.hpp>

#include "core/engine/orphan_collector.hpp"
#include "engine/engine_node.hpp"
#include "meta/damage_util.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::StringSource;
using shoal::testing::bytes_of;
using shoal::testing::run;

namespace {

constexpr std::uint64_t kChunk = 64 * 1024;

// A chunk file naming `owner` that no metadata lists (what a crash between a
// chunk's rename and its commit leaves).
std::filesystem::path orphan(EngineNode& node, std::size_t drive, const chunk::ChunkOwner& owner) {
    chunk::ChunkStore store(node.path(drive));
    chunk::ChunkWriter writer = store.create(chunk::ChunkId::random(), owner);
    writer.append(bytes_of(1000, 1));
    return writer.finish().file;
}

chunk::ChunkOwner owner(std::string bucket, std::string key, std::string version, std::uint32_t part = 0) {
    chunk::ChunkOwner o;
    o.bucket = std::move(bucket);
    o.key = std::move(key);
    o.version_id = std::move(version);
    o.part_number = part;
    return o;
}

const auto kLater = [] { return std::filesystem::file_time_type::clock::now() + std::chrono::hours(1); };

}  // namespace

TEST_CASE("orphan chunks are removed, every referenced chunk is kept", "[engine]") {
    EngineNode node(3);
    node.meta().write([](meta::Catalog& c) { c.set_versioning("bucket", meta::Versioning::enabled); });
    const meta::ObjectVersion old = node.put("kept", bytes_of(kChunk + 1, 2), "THREECOPIES");
    const meta::ObjectVersion current = node.put("kept", bytes_of(3 * kChunk, 3), "EC2+1");
    // An upload still open, with a part; and a completed one.
    engine::PutInput input;
    input.bucket = "bucket";
    input.key = "open";
    const std::string open_upload = run(node.store().create_upload(input));
    StringSource part(bytes_of(kChunk + 5, 4));
    run(node.store().put_part("bucket", "open", open_upload, 1, engine::ChecksumAlgorithm::none, nullptr, part));
    input.key = "done";
    const std::string done_upload = run(node.store().create_upload(input));
    StringSource done_part(bytes_of(kChunk + 6, 5));
    run(node.store().put_part("bucket", "done", done_upload, 1, engine::ChecksumAlgorithm::none, nullptr, done_part));
    const std::vector<engine::CompletedPart> listed{{1, ""}};
    run(node.store().complete_upload("bucket", "done", done_upload, listed, [](const auto&, const auto&, const auto&) {}));
    const std::size_t referenced = node.chunk_files().size();

    const std::vector<std::filesystem::path> orphans{
        orphan(node, 0, owner("bucket", "kept", old.version_id())),  // a version that does not list it
        orphan(node, 1, owner("bucket", "never-committed", "0000000000000009")),
        orphan(node, 2, owner("no-such-bucket", "k", "0000000000000009")),
        orphan(node, 0, owner("bucket", "open", open_upload, 2)),  // a part never committed
        orphan(node, 1, owner("bucket", "open", "no-such-upload", 1)),
    };
    // Nothing is older than a cut-off in the past: nothing goes.
    const engine::OrphanStats none =
        engine::collect_orphans(node.store(), std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    CHECK(none.removed == 0);
    CHECK(node.chunk_files().size() == referenced + orphans.size());

    const engine::OrphanStats stats = engine::collect_orphans(node.store(), kLater());
    CHECK(stats.scanned == referenced + orphans.size());
    CHECK(stats.removed == orphans.size());
    CHECK(stats.errors == 0);
    for (const auto& f : orphans) CHECK_FALSE(std::filesystem::exists(f));
    CHECK(node.chunk_files().size() == referenced);
    CHECK(node.read(old) == bytes_of(kChunk + 1, 2));
    CHECK(node.read(current) == bytes_of(3 * kChunk, 3));
    CHECK(node.read(*node.newest("done")) == bytes_of(kChunk + 6, 5));
    CHECK(node.meta().snapshot().catalog().part(open_upload, 1)->chunks.size() == 2);
}

TEST_CASE("chunks a damaged record may list are kept", "[engine]") {
    EngineNode node(2);
    node.put("damaged", bytes_of(kChunk, 6), "TWOCOPIES");
    node.put("fine", bytes_of(kChunk, 7), "TWOCOPIES");
    const auto o = orphan(node, 0, owner("bucket", "damaged", "0000000000000009"));
    const auto other = orphan(node, 1, owner("bucket", "fine", "0000000000000009"));
    node.restart([&] {
        REQUIRE(testing::damage_records(node.meta_dir(), "versions", testing::holding("damaged"),
                                        [](std::string v) { return v + "!"; }) == 1);
    });
    const engine::OrphanStats stats = engine::collect_orphans(node.store(), kLater());
    CHECK(std::filesystem::exists(o));         // its key's record cannot vouch either way
    CHECK_FALSE(std::filesystem::exists(other));
    CHECK(stats.removed == 1);
    CHECK(node.chunk_files().size() == 4 + 1);

    // A damaged bucket record: nothing of the bucket can be vouched for.
    node.restart([&] {
        REQUIRE(testing::damage_records(node.meta_dir(), "buckets", testing::holding("bucket"),
                                        [](std::string v) { return v.substr(0, v.size() - 1); }) == 1);
    });
    const engine::OrphanStats kept = engine::collect_orphans(node.store(), kLater());
    CHECK(kept.removed == 0);
    CHECK(kept.errors == 5);
    CHECK(node.log().has("orphan collection: chunk kept, a metadata record it may belong to is damaged"));
    CHECK(node.chunk_files().size() == 5);
}
