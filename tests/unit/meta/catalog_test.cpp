#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "core/meta/store.hpp"
#include "temp_dir.hpp"

using namespace shoal::meta;
using shoal::testing::TempDir;

namespace {

StoreOptions small_map() {
    StoreOptions options;
    options.map_size = std::uint64_t{256} << 20;
    return options;
}

ObjectVersion make_version(Catalog& c, std::string key, std::uint64_t size, bool marker = false) {
    ObjectVersion v;
    v.key = std::move(key);
    v.seq = c.next_seq(1);
    v.size = size;
    v.delete_marker = marker;
    v.etag = "e" + std::to_string(size);
    return v;
}

void put(Store& store, const std::string& bucket, const std::string& key, std::uint64_t size = 1) {
    store.write([&](Catalog& c) {
        ObjectVersion v = make_version(c, key, size);
        c.put_version(c.bucket_or_refuse(bucket), v);
    });
}

std::vector<std::string> list_all(Store& store, const std::string& bucket, ListQuery q, std::size_t page_size,
                                  std::vector<std::string>* prefixes = nullptr) {
    std::vector<std::string> keys;
    q.max_keys = page_size;
    while (true) {
        const Snapshot snap = store.snapshot();
        const ListPage page = snap.catalog().list(*snap.catalog().bucket(bucket), q);
        for (const auto& o : page.objects) keys.push_back(o.key);
        if (prefixes) prefixes->insert(prefixes->end(), page.common_prefixes.begin(), page.common_prefixes.end());
        if (!page.truncated) break;
        q.start_after = page.last;
    }
    return keys;
}

}  // namespace

TEST_CASE("buckets are created once, listed in order, deleted when empty", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) {
        c.create_bucket("zeta", 1);
        c.create_bucket("alpha", 2);
    });
    CHECK_THROWS_AS(store.write([](Catalog& c) { c.create_bucket("alpha", 3); }), Refused);
    {
        const Snapshot snap = store.snapshot();
        const auto all = snap.catalog().buckets();
        REQUIRE(all.size() == 2);
        CHECK(all[0].name == "alpha");
        CHECK(all[1].name == "zeta");
        CHECK(all[0].id != all[1].id);
    }
    put(store, "alpha", "k");
    try {
        store.write([](Catalog& c) { c.delete_bucket("alpha"); });
        FAIL("deleted a non-empty bucket");
    } catch (const Refused& r) {
        CHECK(r.why() == Refusal::bucket_not_empty);
    }
    store.write([](Catalog& c) {
        c.delete_version(c.bucket_or_refuse("alpha"), "k", "null");
        c.delete_bucket("alpha");
    });
    CHECK_FALSE(store.snapshot().catalog().bucket("alpha"));
}

TEST_CASE("a failing mutation leaves no trace and spares its group", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    CHECK_THROWS(store.write([](Catalog& c) {
        c.create_bucket("half", 1);
        throw std::runtime_error("fails after a write");
    }));
    CHECK_FALSE(store.snapshot().catalog().bucket("half"));
}

TEST_CASE("listing keeps byte order for keys longer than LMDB's key limit", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) { c.create_bucket("b", 1); });

    // Keys sharing a 600-byte prefix (beyond one 480-byte segment), some up to
    // 1024 bytes, mixed with short keys and keys ending exactly at a segment.
    const std::string shared(600, 'p');
    std::vector<std::string> keys = {"a", "p", std::string(480, 'p'), std::string(481, 'p'), std::string(960, 'p'),
                                     std::string(961, 'p'), std::string(1024, 'p'), "q", std::string(479, 'p') + "q"};
    std::mt19937 rng(42);
    for (int i = 0; i < 200; ++i) {
        std::string k = shared;
        const std::size_t extra = rng() % 400;
        for (std::size_t j = 0; j < extra; ++j) k.push_back(static_cast<char>('a' + rng() % 3));
        keys.push_back(k.substr(0, 1024));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<std::string> shuffled = keys;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    store.write([&](Catalog& c) {
        const BucketRecord b = c.bucket_or_refuse("b");
        for (const auto& k : shuffled) {
            ObjectVersion v = make_version(c, k, k.size());
            c.put_version(b, v);
        }
    });

    CHECK(list_all(store, "b", {}, 1000) == keys);
    CHECK(list_all(store, "b", {}, 7) == keys);  // pagination through every level

    // Each long key is found again by exact lookup.
    const Snapshot snap = store.snapshot();
    const BucketRecord b = *snap.catalog().bucket("b");
    for (const auto& k : keys) {
        const auto v = snap.catalog().newest(b, k);
        REQUIRE(v);
        CHECK(v->key == k);
        CHECK(v->size == k.size());
    }

    // A prefix inside the second segment.
    ListQuery q;
    q.prefix = shared + "ab";
    std::vector<std::string> expected;
    std::copy_if(keys.begin(), keys.end(), std::back_inserter(expected),
                 [&](const std::string& k) { return k.rfind(q.prefix, 0) == 0; });
    CHECK(list_all(store, "b", q, 5) == expected);
}

TEST_CASE("deleting long keys prunes their namespaces from listings", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) { c.create_bucket("b", 1); });
    const std::string long_key(700, 'x');
    put(store, "b", long_key);
    put(store, "b", "y");
    store.write([&](Catalog& c) { c.delete_version(c.bucket_or_refuse("b"), long_key, "null"); });
    CHECK(list_all(store, "b", {}, 10) == std::vector<std::string>{"y"});
    put(store, "b", long_key + "z");
    CHECK(list_all(store, "b", {}, 10) == std::vector<std::string>{long_key + "z", "y"});
}

TEST_CASE("delimiters fold keys into common prefixes across pages", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) { c.create_bucket("b", 1); });
    for (const char* k : {"a/1", "a/2", "b", "c/x/1", "c/y", "d", "e/"}) put(store, "b", k);

    for (std::size_t page_size : {1u, 2u, 3u, 100u}) {
        ListQuery q;
        q.delimiter = "/";
        std::vector<std::string> prefixes;
        INFO("page size " << page_size);
        CHECK(list_all(store, "b", q, page_size, &prefixes) == std::vector<std::string>{"b", "d"});
        CHECK(prefixes == std::vector<std::string>{"a/", "c/", "e/"});
    }
    ListQuery q;
    q.prefix = "c/";
    q.delimiter = "/";
    std::vector<std::string> prefixes;
    CHECK(list_all(store, "b", q, 10, &prefixes) == std::vector<std::string>{"c/y"});
    CHECK(prefixes == std::vector<std::string>{"c/x/"});

    q = {};
    q.start_after = "c/x/0";
    CHECK(list_all(store, "b", q, 10) == std::vector<std::string>{"c/x/1", "c/y", "d", "e/"});
}

TEST_CASE("versioning: null versions replace, enabled versions accumulate, markers hide", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) { c.create_bucket("b", 1); });
    put(store, "b", "k", 1);
    put(store, "b", "k", 2);  // unversioned: replaces
    {
        const Snapshot s = store.snapshot();
        const auto page = s.catalog().list_versions(*s.catalog().bucket("b"), {});
        REQUIRE(page.versions.size() == 1);
        CHECK(page.versions[0].version.size == 2);
        CHECK(page.versions[0].version.version_id() == "null");
        CHECK(page.versions[0].latest);
    }
    store.write([](Catalog& c) { c.set_versioning("b", Versioning::enabled); });
    put(store, "b", "k", 3);
    put(store, "b", "k", 4);
    std::string marker_id;
    store.write([&](Catalog& c) {
        const BucketRecord b = c.bucket_or_refuse("b");
        ObjectVersion marker = make_version(c, "k", 0, true);
        marker_id = marker.version_id();
        c.put_version(b, marker);
    });
    {
        const Snapshot s = store.snapshot();
        const BucketRecord b = *s.catalog().bucket("b");
        CHECK(s.catalog().list(b, {}).objects.empty());  // hidden by the marker
        const auto page = s.catalog().list_versions(b, {});
        REQUIRE(page.versions.size() == 4);
        CHECK(page.versions[0].version.delete_marker);
        CHECK(page.versions[0].latest);
        CHECK(page.versions[1].version.size == 4);
        CHECK_FALSE(page.versions[1].latest);
        CHECK(page.versions[3].version.version_id() == "null");
        CHECK(s.catalog().version(b, "k", "null")->size == 2);
        CHECK(s.catalog().version(b, "k", page.versions[2].version.version_id())->size == 3);
        CHECK_FALSE(s.catalog().version(b, "k", "0000000000000000"));
        CHECK_FALSE(s.catalog().version(b, "k", "bogus"));

        // Pagination by version marker continues after that version.
        VersionsQuery q;
        q.max_keys = 2;
        const auto first = s.catalog().list_versions(b, q);
        CHECK(first.truncated);
        q.key_marker = first.next_key_marker;
        q.version_id_marker = first.next_version_id_marker;
        const auto second = s.catalog().list_versions(b, q);
        REQUIRE(second.versions.size() == 2);
        CHECK(second.versions[0].version.size == 3);
        CHECK_FALSE(second.versions[0].latest);
        CHECK_FALSE(second.truncated);
    }
    // Removing the marker makes the newest data version current again.
    store.write([&](Catalog& c) { c.delete_version(c.bucket_or_refuse("b"), "k", marker_id); });
    {
        const Snapshot s = store.snapshot();
        const auto page = s.catalog().list(*s.catalog().bucket("b"), {});
        REQUIRE(page.objects.size() == 1);
        CHECK(page.objects[0].summary.size == 4);
    }
    // Suspended: a new null version replaces the old null one only.
    store.write([](Catalog& c) { c.set_versioning("b", Versioning::suspended); });
    put(store, "b", "k", 5);
    const Snapshot s = store.snapshot();
    const auto page = s.catalog().list_versions(*s.catalog().bucket("b"), {});
    REQUIRE(page.versions.size() == 3);
    CHECK(page.versions[0].version.size == 5);
    CHECK(page.versions[0].version.version_id() == "null");
}

TEST_CASE("concurrent writers share commits", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) { c.create_bucket("b", 1); });
    const std::uint64_t before = store.commits();
    constexpr int kThreads = 8;
    constexpr int kPerThread = 50;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) put(store, "b", "t" + std::to_string(t) + "-" + std::to_string(i));
        });
    }
    for (auto& th : threads) th.join();
    CHECK(list_all(store, "b", {}, 1000).size() == kThreads * kPerThread);
    // Each writer waits for its commit, so with 8 writers commits are grouped.
    CHECK(store.commits() - before < kThreads * kPerThread);
}

TEST_CASE("the store reopens with its data", "[meta]") {
    TempDir dir;
    {
        Store store(dir.path() / "meta", small_map());
        store.write([](Catalog& c) { c.create_bucket("b", 1); });
        put(store, "b", std::string(900, 'k'));
    }
    Store store(dir.path() / "meta", small_map());
    CHECK(list_all(store, "b", {}, 10) == std::vector<std::string>{std::string(900, 'k')});
}

TEST_CASE("groups that change nothing or only fail are acknowledged, and so is the group before them", "[meta]") {
    // Commits sync their data pages and leave their meta page to the next
    // sync; a group that changes nothing makes LMDB skip its commit (and
    // sync), so the committer must sync for the group before it.
    TempDir dir;
    {
        Store store(dir.path() / "meta", small_map());
        store.write([](Catalog& c) { c.create_bucket("b", 1); });
        for (int round = 0; round < 20; ++round) {
            std::promise<std::exception_ptr> wrote, noop, failed;
            store.submit(
                [round](Catalog& c) {
                    ObjectVersion v = make_version(c, "k" + std::to_string(round), 1);
                    c.put_version(c.bucket_or_refuse("b"), v);
                },
                [&](std::exception_ptr e) { wrote.set_value(e); });
            store.submit([](Catalog&) {}, [&](std::exception_ptr e) { noop.set_value(e); });
            store.submit([](Catalog& c) { c.bucket_or_refuse("missing"); }, [&](std::exception_ptr e) { failed.set_value(e); });
            CHECK(wrote.get_future().get() == nullptr);
            CHECK(noop.get_future().get() == nullptr);
            CHECK(failed.get_future().get() != nullptr);
        }
    }
    Store store(dir.path() / "meta", small_map());
    CHECK(list_all(store, "b", {}, 100).size() == 20);
}

TEST_CASE("an upload belongs to the bucket it was created in, and its result is found by its id", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    UploadRecord upload;
    store.write([&](Catalog& c) {
        const BucketRecord bucket = c.create_bucket("b", 1);
        c.set_versioning("b", Versioning::enabled);
        upload.seq = c.next_seq(1);
        upload.upload_id = format_version_id(upload.seq) + "00000000000000ab";
        upload.bucket = "b";
        upload.key = "k";
        c.create_upload(bucket, upload);
    });
    BucketRecord old_bucket;
    {
        const Snapshot snap = store.snapshot();
        old_bucket = *snap.catalog().bucket("b");
        CHECK(snap.catalog().upload_or_refuse(old_bucket, "k", upload.upload_id).key == "k");
        // A record of another bucket of the same name (a re-created one): not its upload.
        BucketRecord other = old_bucket;
        other.id += 100;
        CHECK_THROWS_AS(snap.catalog().upload_or_refuse(other, "k", upload.upload_id), Refused);
        CHECK_THROWS_AS(snap.catalog().upload_or_refuse(old_bucket, "other", upload.upload_id), Refused);
        CHECK_FALSE(snap.catalog().version_from_upload(old_bucket, "k", upload.upload_id, 100));
    }

    // Completed: the version records the id. Versions made after it (a
    // marker, an overwrite) do not hide it within the search limit.
    store.write([&](Catalog& c) {
        const BucketRecord bucket = c.bucket_or_refuse("b");
        c.remove_upload(bucket, upload);
        ObjectVersion v = make_version(c, "k", 10);
        v.upload_id = upload.upload_id;
        c.put_version(bucket, v);
        ObjectVersion later = make_version(c, "k", 11);
        c.put_version(bucket, later);
        ObjectVersion marker = make_version(c, "k", 0, true);
        c.put_version(bucket, marker);
    });
    {
        const Snapshot snap = store.snapshot();
        const auto found = snap.catalog().version_from_upload(old_bucket, "k", upload.upload_id, 100);
        REQUIRE(found);
        CHECK(found->size == 10);
        CHECK(found->upload_id == upload.upload_id);
        CHECK_FALSE(snap.catalog().version_from_upload(old_bucket, "k", upload.upload_id, 2));  // past the limit
        CHECK_FALSE(snap.catalog().version_from_upload(old_bucket, "k", "00000000000000010000000000000000", 100));
        CHECK_FALSE(snap.catalog().version_from_upload(old_bucket, "k", "not-an-id", 100));
        CHECK_FALSE(snap.catalog().version_from_upload(old_bucket, "k2", upload.upload_id, 100));
    }
}
