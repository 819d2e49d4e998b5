// The walk over every stored version: ends on an empty store, crosses
// buckets, skips delete markers and inline versions, and resumes from any
// cursor without missing or repeating a version.
#include <catch2/catch.hpp>

#include <set>

#include "core/engine/version_walk.hpp"
#include "meta/damage_util.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using shoal::testing::TempDir;

namespace {

meta::StoreOptions small_map() {
    meta::StoreOptions options;
    options.map_size = std::uint64_t{64} << 20;
    return options;
}

void put(meta::Store& store, const std::string& bucket, const std::string& key, bool chunked) {
    store.write([&](meta::Catalog& c) {
        meta::ObjectVersion v;
        v.key = key;
        v.seq = c.next_seq(1);
        v.size = 10;
        if (chunked) {
            v.chunks.push_back(meta::ChunkRef{"00112233445566778899aabbccddeeff", 1, 0, 10, 0});
        } else {
            v.inline_data = std::string(10, 'x');
        }
        c.put_version(c.bucket_or_refuse(bucket), v);
    });
}

// Every (bucket/key, version id) a walk in pages of `page` visits.
std::vector<std::string> walk(const meta::Store& store, std::size_t page) {
    std::vector<std::string> seen;
    engine::WalkCursor cursor;
    for (int guard = 0; !cursor.finished; ++guard) {
        REQUIRE(guard < 1000);
        const engine::WalkPage p = engine::next_versions(store, cursor, page);
        for (const auto& [bucket, v] : p.versions) seen.push_back(bucket + "/" + v.key + "@" + v.version_id());
        cursor = p.next;
    }
    return seen;
}

}  // namespace

TEST_CASE("a walk over an empty store ends at once", "[engine]") {
    TempDir dir;
    meta::Store store(dir.path() / "meta", small_map());
    const engine::WalkPage page = engine::next_versions(store, engine::WalkCursor{}, 10);
    CHECK(page.versions.empty());
    CHECK(page.next.finished);
    store.write([](meta::Catalog& c) { c.create_bucket("empty", 1); });
    CHECK(engine::next_versions(store, engine::WalkCursor{}, 10).next.finished);
}

TEST_CASE("a walk visits every chunked version of every bucket once, in pages of any size", "[engine]") {
    TempDir dir;
    meta::Store store(dir.path() / "meta", small_map());
    store.write([](meta::Catalog& c) {
        c.create_bucket("alpha", 1);
        c.create_bucket("beta", 1);
        c.create_bucket("gamma", 1);
        c.set_versioning("beta", meta::Versioning::enabled);
    });
    for (int i = 0; i < 7; ++i) put(store, "alpha", "a" + std::to_string(i), true);
    put(store, "alpha", "small", false);  // inline: nothing to walk
    for (int i = 0; i < 3; ++i) put(store, "beta", "same-key", true);  // three versions of one key
    store.write([](meta::Catalog& c) {
        meta::ObjectVersion marker;
        marker.key = "same-key";
        marker.seq = c.next_seq(1);
        marker.delete_marker = true;
        c.put_version(c.bucket_or_refuse("beta"), marker);
    });
    put(store, "gamma", "g", true);

    const std::vector<std::string> all = walk(store, 1000);
    REQUIRE(all.size() == 11);
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 11);
    CHECK(all.front().rfind("alpha/a0@", 0) == 0);
    CHECK(all.back().rfind("gamma/g@", 0) == 0);
    for (const std::size_t page : {1, 2, 3, 5}) {
        CAPTURE(page);
        CHECK(walk(store, page) == all);
    }
}

TEST_CASE("a walk whose bucket was deleted goes on with the next", "[engine]") {
    TempDir dir;
    meta::Store store(dir.path() / "meta", small_map());
    store.write([](meta::Catalog& c) {
        c.create_bucket("a", 1);
        c.create_bucket("c", 1);
    });
    put(store, "c", "k", true);
    engine::WalkCursor cursor{"b", "gone", "0000000000000001", false};  // a bucket that is no more
    const engine::WalkPage page = engine::next_versions(store, cursor, 10);
    REQUIRE(page.versions.size() == 1);
    CHECK(page.versions[0].first == "c");
    CHECK(page.next.finished);
}

TEST_CASE("a walk names a damaged record and goes on past it, in pages of any size", "[engine]") {
    TempDir dir;
    {
        meta::Store store(dir.path() / "meta", small_map());
        store.write([](meta::Catalog& c) { c.create_bucket("alpha", 1); });
        for (int i = 0; i < 5; ++i) put(store, "alpha", "a" + std::to_string(i), true);
    }
    REQUIRE(testing::damage_records(dir.path() / "meta", "versions", testing::holding("a2"),
                                    [](std::string v) { return v.substr(0, 9); }) == 1);
    meta::Store store(dir.path() / "meta", small_map());
    for (const std::size_t page_size : {1, 2, 3, 10}) {
        CAPTURE(page_size);
        std::vector<std::string> seen;
        std::vector<std::string> damaged;
        engine::WalkCursor cursor;
        for (int guard = 0; !cursor.finished; ++guard) {
            REQUIRE(guard < 100);
            const engine::WalkPage p = engine::next_versions(store, cursor, page_size);
            for (const auto& [bucket, v] : p.versions) seen.push_back(v.key);
            damaged.insert(damaged.end(), p.damaged.begin(), p.damaged.end());
            cursor = p.next;
        }
        CHECK(seen == std::vector<std::string>{"a0", "a1", "a3", "a4"});
        REQUIRE(damaged.size() == 1);
        CHECK_THAT(damaged[0], Catch::Contains("object alpha/a2"));
    }
}
