// The piece repair against real files: restore_pieces rebuilds missing and
// damaged copies and fragments onto drives that hold no piece of the chunk
// (never a lost drive, never one holding a good piece), leaves what it cannot
// rebuild as it was, and removes nothing; repair_version commits the new list
// only if the version is unchanged, and frees the pieces it replaced.
#include <catch2/catch.hpp>

#include <thread>

#include "core/chunk/chunk_reader.hpp"
#include "core/engine/piece_repair.hpp"
#include "core/engine/version_repair.hpp"
#include "chunk/chunk_test_util.hpp"
#include "engine/engine_node.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::bytes_of;
using shoal::testing::run;

namespace {

constexpr std::uint64_t kChunk = 64 * 1024;

ec::StoragePolicy policy_of(const meta::ObjectVersion& v) { return *ec::StoragePolicy::parse(v.policy); }

engine::RestoredPieces restore(EngineNode& node, const meta::ObjectVersion& v, const engine::PieceCheck& check = {}) {
    return engine::restore_pieces(node.store(), "bucket/" + v.key, policy_of(v), v.segment_size, v.chunks, check);
}

std::set<std::uint64_t> drives_of(const std::vector<meta::ChunkRef>& refs) {
    std::set<std::uint64_t> out;
    for (const meta::ChunkRef& r : refs) out.insert(r.drive);
    return out;
}

bool contains(const std::vector<meta::ChunkRef>& refs, const meta::ChunkRef& ref) {
    return std::find(refs.begin(), refs.end(), ref) != refs.end();
}

// Checks a restored list against the one it came from: every chunk has
// `pieces` pieces on distinct drives; each new piece is on a drive that held
// no kept piece of its chunk, and not on `lost`; new files verify.
void check_restored(EngineNode& node, const meta::ObjectVersion& before, const engine::RestoredPieces& r, int pieces,
                    std::optional<std::uint64_t> lost = std::nullopt) {
    const auto old_chunks = testing::by_chunk(before.chunks);
    for (const auto& [offset, now] : testing::by_chunk(r.chunks)) {
        CAPTURE(offset);
        CHECK(static_cast<int>(now.size()) == pieces);
        CHECK(testing::pieces_on_distinct_drives(now));
        std::vector<meta::ChunkRef> kept;
        for (const meta::ChunkRef& p : now) {
            if (contains(old_chunks.at(offset), p)) kept.push_back(p);
        }
        for (const meta::ChunkRef& p : now) {
            if (contains(kept, p)) continue;
            CHECK(contains(r.added, p));
            CHECK(drives_of(kept).count(p.drive) == 0);
            if (lost) CHECK(p.drive != *lost);
            chunk::ChunkReader reader = chunk::ChunkReader::open(node.path(node.index_of(p.drive)),
                                                                 *chunk::ChunkId::parse(p.chunk_id));
            CHECK_NOTHROW(reader.verify_all());
        }
    }
}

}  // namespace

TEST_CASE("missing copies are restored on drives that hold no piece of their chunk", "[engine]") {
    EngineNode node(5);
    // Placement is random: many rounds, so that every choice the conscience
    // could make is met.
    std::mt19937 rng(1);
    for (int round = 0; round < 12; ++round) {
        CAPTURE(round);
        const std::string body = bytes_of(3 * kChunk - 5, static_cast<std::uint32_t>(round));
        const meta::ObjectVersion v = node.put("k" + std::to_string(round), body, "THREECOPIES");
        std::vector<meta::ChunkRef> gone;
        for (const auto& [offset, pieces] : testing::by_chunk(v.chunks)) {
            gone.push_back(pieces[rng() % pieces.size()]);
            std::filesystem::remove(node.file_of(gone.back()));
        }
        const engine::RestoredPieces r = restore(node, v);
        CHECK(r.added.size() == 3);
        CHECK(r.dropped == gone);
        CHECK(r.unrecoverable.empty());
        check_restored(node, v, r, 3);
        meta::ObjectVersion repaired = v;
        repaired.chunks = r.chunks;
        CHECK(node.read(repaired) == body);
    }
}

TEST_CASE("a damaged copy is replaced, on its own drive at most, never on one holding a good copy", "[engine]") {
    EngineNode node(4);
    for (int round = 0; round < 10; ++round) {
        CAPTURE(round);
        const std::string body = bytes_of(2 * kChunk, 100 + static_cast<std::uint32_t>(round));
        const meta::ObjectVersion v = node.put("k" + std::to_string(round), body, "THREECOPIES");
        const meta::ChunkRef damaged = v.chunks[static_cast<std::size_t>(round) % 3];
        testing::flip_byte(node.file_of(damaged), std::filesystem::file_size(node.file_of(damaged)) / 2);
        // Without reading the data, the damage goes unseen...
        CHECK_FALSE(restore(node, v).changed());
        // ...a scrub (or a read that named it suspect) reads every block.
        engine::PieceCheck check;
        check.verify_data = round % 2 == 0;
        if (!check.verify_data) check.suspect = {damaged.chunk_id};
        const engine::RestoredPieces r = restore(node, v, check);
        CHECK(r.dropped == std::vector<meta::ChunkRef>{damaged});
        REQUIRE(r.added.size() == 1);
        check_restored(node, v, r, 3);
        // A failed run leaves nothing: remove what this round wrote.
        node.store().remove_chunks(r.added);
    }
}

TEST_CASE("a rebuild never puts a piece on the lost drive, and drops the lost drive's pieces", "[engine]") {
    EngineNode node(4);
    const std::string body = bytes_of(4 * kChunk, 7);
    const meta::ObjectVersion v = node.put("k", body, "THREECOPIES");
    const std::uint64_t lost = node.id(1);
    engine::PieceCheck check;
    check.lost = [lost](std::uint64_t d) { return d == lost; };
    const engine::RestoredPieces r = restore(node, v, check);
    std::size_t on_lost = 0;
    for (const meta::ChunkRef& ref : v.chunks) on_lost += ref.drive == lost;
    CHECK(r.added.size() == on_lost);
    CHECK(r.dropped.size() == on_lost);
    CHECK(drives_of(r.chunks).count(lost) == 0);
    check_restored(node, v, r, 3, lost);
}

TEST_CASE("missing fragments are re-encoded from any k, on drives holding no fragment of the group", "[engine]") {
    EngineNode node(8);
    const std::string body = bytes_of(6 * kChunk + 999, 8);
    const meta::ObjectVersion v = node.put("coded", body, "EC4+2");
    // Fragments 1 and 4 of every group lost.
    for (const meta::ChunkRef& ref : v.chunks) {
        if (ref.piece == 1 || ref.piece == 4) std::filesystem::remove(node.file_of(ref));
    }
    const engine::RestoredPieces r = restore(node, v);
    CHECK(r.added.size() == 2 * testing::by_chunk(v.chunks).size());
    for (const meta::ChunkRef& added : r.added) CHECK((added.piece == 1 || added.piece == 4));
    check_restored(node, v, r, 6);
    // The new fragments hold the right bytes: read with two of the old ones gone.
    meta::ObjectVersion repaired = v;
    repaired.chunks = r.chunks;
    for (const meta::ChunkRef& ref : r.chunks) {
        if (ref.piece == 0 || ref.piece == 2) std::filesystem::remove(node.file_of(ref));
    }
    CHECK(node.read(repaired) == body);
}

TEST_CASE("a chunk with too few good pieces, or no drive to take one, is left as it was", "[engine]") {
    EngineNode node(3);
    const meta::ObjectVersion v = node.put("k", bytes_of(2 * kChunk, 9), "THREECOPIES");
    const auto chunks = testing::by_chunk(v.chunks);
    SECTION("no good copy") {
        for (const meta::ChunkRef& ref : chunks.at(0)) std::filesystem::remove(node.file_of(ref));
        const engine::RestoredPieces r = restore(node, v);
        CHECK(r.chunks == v.chunks);
        CHECK_FALSE(r.changed());
        REQUIRE(r.unrecoverable.size() == 1);
        CHECK_THAT(r.unrecoverable[0], Catch::Contains("object bucket/k, chunk at 0: 0 good pieces, 1 needed"));
    }
    SECTION("no drive that holds none of its pieces takes writes") {
        const meta::ChunkRef gone = chunks.at(kChunk)[0];
        std::filesystem::remove(node.file_of(gone));
        node.conscience().report_failure(gone.drive, "test: failed");
        const std::size_t files = node.chunk_files().size();
        const engine::RestoredPieces r = restore(node, v);
        CHECK(r.chunks == v.chunks);
        CHECK_FALSE(r.changed());
        REQUIRE(r.short_of.size() == 1);
        CHECK_THAT(r.short_of[0], Catch::Contains("1 pieces to rebuild, 0 drives can take them"));
        CHECK(node.chunk_files().size() == files);
    }
    SECTION("a good copy fails while being copied") {
        const meta::ChunkRef gone = chunks.at(0)[0];
        std::filesystem::remove(node.file_of(gone));
        for (std::size_t i = 1; i < 3; ++i) testing::flip_byte(node.file_of(chunks.at(0)[i]), 1000);
        const std::size_t files = node.chunk_files().size();
        const engine::RestoredPieces r = restore(node, v);
        CHECK(r.chunks == v.chunks);
        CHECK(r.added.empty());
        REQUIRE(r.unrecoverable.size() == 1);
        CHECK_THAT(r.unrecoverable[0], Catch::Contains("reading a good piece failed"));
        CHECK(node.chunk_files().size() == files);  // the unfinished new copy is gone
        CHECK(node.pending_files() == 0);
    }
}

TEST_CASE("a repair is committed, and the replaced pieces freed, only if the version is unchanged", "[engine]") {
    EngineNode node(4);
    node.meta().write([](meta::Catalog& c) { c.set_versioning("bucket", meta::Versioning::enabled); });
    const std::string body = bytes_of(2 * kChunk, 10);
    const meta::ObjectVersion v = node.put("k", body, "THREECOPIES");
    const meta::ChunkRef damaged = v.chunks[0];
    testing::flip_byte(node.file_of(damaged), 500);
    engine::PieceCheck check;
    check.verify_data = true;

    SECTION("unchanged: committed") {
        const engine::RepairStats stats = engine::repair_version(node.store(), "bucket", v, check);
        CHECK(stats.pieces_rebuilt == 1);
        CHECK(stats.pieces_dropped == 1);
        CHECK(stats.stale == 0);
        const meta::ObjectVersion now = *node.newest("k");
        CHECK_FALSE(contains(now.chunks, damaged));
        CHECK(now.chunks.size() == v.chunks.size());
        CHECK_FALSE(std::filesystem::exists(node.file_of(damaged)));  // freed after the commit
        CHECK(node.chunk_files().size() == now.chunks.size());
        CHECK(node.read(now) == body);
        // Done twice: nothing left to do.
        const engine::RepairStats again = engine::repair_version(node.store(), "bucket", now, check);
        CHECK(again.pieces_rebuilt == 0);
        CHECK(again.stale == 0);
        CHECK(node.newest("k")->chunks == now.chunks);
    }
    SECTION("repaired by someone else meanwhile: dropped, its new pieces removed") {
        REQUIRE(engine::repair_version(node.store(), "bucket", v, check).pieces_rebuilt == 1);
        const meta::ObjectVersion now = *node.newest("k");
        const std::size_t files = node.chunk_files().size();
        // The same damage report handled a second time, from the old listing.
        testing::flip_byte(node.file_of(v.chunks[1]), 500);
        const engine::RepairStats stale = engine::repair_version(node.store(), "bucket", v, check);
        CHECK(stale.stale == 1);
        CHECK(stale.pieces_rebuilt == 0);
        CHECK(node.newest("k")->chunks == now.chunks);
        CHECK(node.chunk_files().size() == files);  // what the stale repair wrote is gone
    }
    SECTION("its tags changed meanwhile: committed, the tags kept") {
        run(node.store().set_tags("bucket", "k", v.version_id(), {{"colour", "blue"}}, {}, nullptr));
        const engine::RepairStats stats = engine::repair_version(node.store(), "bucket", v, check);
        CHECK(stats.pieces_rebuilt == 1);
        const meta::ObjectVersion now = *node.newest("k");
        CHECK(now.tags == std::vector<std::pair<std::string, std::string>>{{"colour", "blue"}});
        CHECK_FALSE(contains(now.chunks, damaged));
    }
    SECTION("a newer version above it: the old version is repaired in place") {
        node.put("k", "newer", "THREECOPIES");
        const engine::RepairStats stats = engine::repair_version(node.store(), "bucket", v, check);
        CHECK(stats.pieces_rebuilt == 1);
        const meta::Snapshot s = node.meta().snapshot();
        const auto old = s.catalog().version(s.catalog().bucket_or_refuse("bucket"), "k", v.version_id());
        REQUIRE(old);
        CHECK_FALSE(contains(old->chunks, damaged));
        CHECK(node.newest("k")->inline_data == "newer");
    }
    SECTION("deleted meanwhile: nothing committed, nothing left") {
        auto lease = node.store().lease_reads();  // the old pieces stay while a read may use them
        run(node.store().remove("bucket", "k", v.version_id()));
        const engine::RepairStats stats = engine::repair_version(node.store(), "bucket", v, check);
        CHECK(stats.stale == 1);
        CHECK(node.chunk_files().size() == v.chunks.size());  // the new piece is gone already
        lease.end();
        for (int i = 0; i < 200 && !node.chunk_files().empty(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CHECK(node.chunk_files().empty());
    }
}

TEST_CASE("the pieces a repair replaced wait for the reads that may use them", "[engine]") {
    EngineNode node(4);
    const meta::ObjectVersion v = node.put("k", bytes_of(kChunk, 11), "THREECOPIES");
    const meta::ChunkRef damaged = v.chunks[1];
    testing::flip_byte(node.file_of(damaged), 300);
    auto lease = node.store().lease_reads();
    engine::PieceCheck check;
    check.verify_data = true;
    REQUIRE(engine::repair_version(node.store(), "bucket", v, check).pieces_rebuilt == 1);
    CHECK(std::filesystem::exists(node.file_of(damaged)));
    lease.end();
    for (int i = 0; i < 200 && std::filesystem::exists(node.file_of(damaged)); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK_FALSE(std::filesystem::exists(node.file_of(damaged)));
}
