// The metadata store's catalog identity (store.hpp): its id and generation.
#include <catch2/catch.hpp>

#include <future>

#include "core/meta/store.hpp"
#include "temp_dir.hpp"

using namespace shoal::meta;
using shoal::testing::TempDir;

namespace {

StoreOptions small_map() {
    StoreOptions options;
    options.map_size = std::uint64_t{64} << 20;
    return options;
}

void put(Store& store, const std::string& key) {
    store.write([&](Catalog& c) {
        ObjectVersion v;
        v.key = key;
        v.seq = c.next_seq(1);
        c.put_version(c.bucket_or_refuse("b"), v);
    });
}

}  // namespace

TEST_CASE("a new catalog gets a random id; a reopened one keeps it", "[meta][catalog-identity]") {
    TempDir dir;
    std::string id;
    {
        Store store(dir.path() / "meta", small_map());
        const CatalogIdentity identity = store.identity();
        CHECK(identity.created_now);
        CHECK(identity.generation == 0);
        REQUIRE(identity.id.size() == 32);
        CHECK(identity.id.find_first_not_of("0123456789abcdef") == std::string::npos);
        id = identity.id;
    }
    Store store(dir.path() / "meta", small_map());
    CHECK_FALSE(store.identity().created_now);
    CHECK(store.identity().id == id);
    TempDir other;
    CHECK(Store(other.path() / "meta", small_map()).identity().id != id);
}

TEST_CASE("the generation counts the groups that committed, and survives a restart", "[meta][catalog-identity]") {
    TempDir dir;
    std::uint64_t generation = 0;
    {
        Store store(dir.path() / "meta", small_map());
        store.write([](Catalog& c) { c.create_bucket("b", 1); });
        CHECK(store.identity().generation == 1);
        put(store, "k1");
        put(store, "k2");
        CHECK(store.identity().generation == 3);
        // Groups that write nothing, or whose mutations all fail, commit nothing.
        store.write([](Catalog& c) { (void)c.bucket("b"); });
        CHECK_THROWS_AS(store.write([](Catalog& c) { c.bucket_or_refuse("missing"); }), Refused);
        CHECK(store.identity().generation == 3);
        // Concurrent writers share groups: fewer generations than writes.
        std::vector<std::future<void>> writers;
        for (int i = 0; i < 64; ++i) {
            writers.push_back(std::async(std::launch::async, [&store, i] { put(store, "c" + std::to_string(i)); }));
        }
        for (auto& w : writers) w.get();
        generation = store.identity().generation;
        CHECK(generation > 3);
        CHECK(generation <= 3 + 64);
        CHECK(generation - 3 == store.commits() - 5);  // every commit but the two that wrote nothing
    }
    Store store(dir.path() / "meta", small_map());
    CHECK(store.identity().generation == generation);
    put(store, "after");
    CHECK(store.identity().generation == generation + 1);
}

TEST_CASE("a catalog from before identities gets an id at its next start, and keeps its data", "[meta][catalog-identity]") {
    TempDir dir;
    {
        Store store(dir.path() / "meta", small_map());
        store.write([](Catalog& c) { c.create_bucket("b", 1); });
    }
    {
        // Remove the identity, as an older shoald left its catalog.
        Env env((dir.path() / "meta").string(), small_map().map_size, 16);
        Txn txn(env, Txn::read_write);
        const MDB_dbi system = txn.open_db("system", 0);
        CHECK(txn.del(system, "catalog_id"));
        CHECK(txn.del(system, "generation"));
        txn.commit();
    }
    Store store(dir.path() / "meta", small_map());
    const CatalogIdentity identity = store.identity();
    CHECK_FALSE(identity.created_now);
    CHECK(identity.id.size() == 32);
    CHECK(identity.generation == 0);
    CHECK(store.snapshot().catalog().bucket("b"));
}
