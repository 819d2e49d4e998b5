// The metadata map filled to its limit through the catalog, as the engine
// fills it: what one object costs, that a full map refuses new records with
// MetaFull and nothing worse, that reads and deletes still work, and that the
// store reopens intact. docs/capacity.md quotes the figures printed here
// ("capacity: ..." lines; run with -s or ctest -V to see them).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "core/meta/capacity.hpp"
#include "core/meta/store.hpp"
#include "temp_dir.hpp"

using namespace shoal::meta;
using shoal::testing::TempDir;

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::uint64_t kChunkSize = 8 * kMiB;  // storage.chunk_size's default
constexpr std::size_t kBatch = 256;    // puts submitted before waiting: they share group commits
constexpr std::size_t kPerMutation = 16;  // puts per mutation when filling
constexpr std::size_t kClients = 64;   // single-object writes submitted before waiting

std::uint64_t now_us() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::string hex_id(std::size_t n, std::size_t digits) {
    std::string out(digits, '0');
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = digits; i-- > 0 && n != 0; n >>= 4) out[i] = kHex[n & 15];
    return out;
}

// A key as applications write them: 48 bytes, long shared prefixes.
std::string typical_key(std::size_t n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "sensors/site-%02zu/2026/11/25/reading-%08zu.json", n % 16, n);
    return buf;
}

// What the engine records for a PUT from boto3 without checksums: the size,
// ETag (hex MD5), storage class, Content-Type, and either the content
// (inline) or one chunk reference per chunk.
struct Population {
    const char* name;
    std::uint64_t size;      // object size
    std::size_t inline_size;  // bytes kept in the record
    std::size_t chunks;
};

ObjectVersion typical_version(Catalog& c, std::size_t n, const Population& p) {
    ObjectVersion v;
    v.key = typical_key(n);
    v.seq = c.next_seq(now_us());
    v.modified_ms = now_us() / 1000;
    v.size = p.size;
    v.etag = hex_id(n * 2654435761u, 32);
    v.storage_class = "STANDARD";
    v.headers = {{"Content-Type", "binary/octet-stream"}};
    v.inline_data.assign(p.inline_size, 'x');
    for (std::size_t i = 0; i < p.chunks; ++i) {
        ChunkRef ref;
        ref.chunk_id = hex_id(n * 64 + i + 1, 32);
        ref.drive = 0x5eed'0000'0000'0001u;
        ref.offset = i * kChunkSize;
        ref.length = std::min<std::uint64_t>(kChunkSize, p.size - ref.offset);
        v.chunks.push_back(ref);
    }
    return v;
}

MapUsage usage_of(const Store& store) { return store.snapshot().catalog().usage(); }

// Submits the mutations together (so they share group commits, as concurrent
// requests do) and waits for all; returns each one's error (null: committed).
std::vector<std::exception_ptr> run_batch(Store& store, std::vector<Store::Mutation> mutations) {
    std::vector<std::exception_ptr> errors(mutations.size());
    std::vector<std::promise<void>> done(mutations.size());
    for (std::size_t i = 0; i < mutations.size(); ++i) {
        store.submit(std::move(mutations[i]), [&errors, &done, i](std::exception_ptr error) {
            errors[i] = error;
            done[i].set_value();
        });
    }
    for (auto& d : done) d.get_future().wait();
    return errors;
}

struct Filled {
    std::vector<std::size_t> objects;  // the numbers of the objects committed
    std::string refusal;               // the MetaFull message that stopped the fill
    std::uint64_t bytes_per_object = 0;
};

// Puts objects first, first + 1, ... into `bucket` until the store refuses
// them. Any error other than MetaFull fails the test. kPerMutation objects
// go in each mutation: every mutation costs LMDB a nested transaction, whose
// page lists (2 MiB) make sanitizer builds crawl when there are tens of
// thousands; the pages the objects take are the same.
Filled fill_until_full(Store& store, const std::string& bucket, const Population& p, std::size_t first = 0) {
    const MapUsage before = usage_of(store);
    Filled filled;
    for (std::size_t next = first; filled.refusal.empty(); next += kBatch) {
        std::vector<Store::Mutation> batch;
        for (std::size_t m = 0; m < kBatch; m += kPerMutation) {
            batch.push_back([&bucket, &p, from = next + m](Catalog& c) {
                const BucketRecord b = c.bucket_or_refuse(bucket);
                for (std::size_t n = from; n < from + kPerMutation; ++n) {
                    ObjectVersion v = typical_version(c, n, p);
                    c.put_version(b, v);
                }
            });
        }
        const std::vector<std::exception_ptr> errors = run_batch(store, std::move(batch));
        for (std::size_t m = 0; m < errors.size(); ++m) {
            if (!errors[m]) {
                for (std::size_t i = 0; i < kPerMutation; ++i) filled.objects.push_back(next + m * kPerMutation + i);
                continue;
            }
            try {
                std::rethrow_exception(errors[m]);
            } catch (const MetaFull& e) {
                if (filled.refusal.empty()) filled.refusal = e.what();
            }
        }
    }
    REQUIRE(!filled.objects.empty());
    const MapUsage after = usage_of(store);
    filled.bytes_per_object = (after.used_pages - before.used_pages) * after.page_size / filled.objects.size();
    return filled;
}

// Puts the objects numbered `numbers`, kClients at a time; returns those committed.
std::set<std::size_t> put_objects(Store& store, const std::vector<std::size_t>& numbers, const Population& p) {
    std::set<std::size_t> committed;
    for (std::size_t from = 0; from < numbers.size(); from += kClients) {
        const std::size_t to = std::min(numbers.size(), from + kClients);
        std::vector<Store::Mutation> puts;
        for (std::size_t k = from; k < to; ++k) {
            puts.push_back([&p, n = numbers[k]](Catalog& c) {
                ObjectVersion v = typical_version(c, n, p);
                c.put_version(c.bucket_or_refuse("b"), v);
            });
        }
        const std::vector<std::exception_ptr> errors = run_batch(store, std::move(puts));
        for (std::size_t k = from; k < to; ++k) {
            if (!errors[k - from]) committed.insert(numbers[k]);
        }
    }
    return committed;
}

std::size_t count_listed(const Store& store, const std::string& bucket) {
    std::size_t n = 0;
    ListQuery q;
    q.max_keys = 1000;
    while (true) {
        const Snapshot snap = store.snapshot();
        const ListPage page = snap.catalog().list(*snap.catalog().bucket(bucket), q);
        n += page.objects.size();
        if (!page.truncated) return n;
        q.start_after = page.last;
    }
}

void create_bucket(Store& store, const std::string& name) {
    store.write([&](Catalog& c) { c.create_bucket(name, 1); });
}

}  // namespace

TEST_CASE("the admission limit keeps 1/32 of the map, 4 MiB to 64 MiB, for deletes", "[meta][capacity]") {
    CHECK(reserved_bytes(8 * kMiB) == 4 * kMiB);
    CHECK(reserved_bytes(128 * kMiB) == 4 * kMiB);
    CHECK(reserved_bytes(256 * kMiB) == 8 * kMiB);
    CHECK(reserved_bytes(std::uint64_t{1} << 30) == 32 * kMiB);
    CHECK(admission_limit_bytes(std::uint64_t{1} << 30) == 992 * kMiB);
    CHECK(reserved_bytes(std::uint64_t{64} << 30) == 64 * kMiB);
    CHECK(admission_limit_bytes(4 * kMiB) == 0);
}

TEST_CASE("the check before a write asks for its headroom on top of what is used", "[meta][capacity]") {
    MapUsage usage;
    usage.page_size = 4096;
    usage.map_pages = 8 * kMiB / 4096;  // admission limit: 4 MiB
    usage.used_pages = 4 * kMiB / 4096 - 16;  // 64 KiB below it
    CHECK_NOTHROW(check_room(usage, 0));
    CHECK_NOTHROW(check_room(usage, 64 * 1024));
    CHECK_THROWS_AS(check_room(usage, 64 * 1024 + 1), MetaFull);
    usage.used_pages += 17;  // past the limit: refused whatever the headroom
    CHECK_THROWS_AS(check_room(usage, 0), MetaFull);
}

TEST_CASE("the store's usage after each commit is what a snapshot measures", "[meta][capacity]") {
    TempDir dir;
    StoreOptions options;
    options.map_size = 16 * kMiB;
    Store store(dir.path() / "meta", options);
    CHECK(store.usage().used_pages == usage_of(store).used_pages);
    create_bucket(store, "b");
    const Filled filled = fill_until_full(store, "b", Population{"inline 4 KiB", 4096, 4096, 0});
    CHECK_THAT(filled.refusal, Catch::Contains("metadata store full"));
    CHECK(usage_of(store).used_pages > 100);
    CHECK(store.usage().used_pages == usage_of(store).used_pages);
    CHECK(store.usage().map_pages == usage_of(store).map_pages);
    CHECK(store.usage().page_size == usage_of(store).page_size);
}

TEST_CASE("LMDB's own MDB_MAP_FULL surfaces as MetaFull, and the environment stays usable", "[meta][capacity]") {
    TempDir dir;
    Env env(dir.path().string(), kMiB, 2, kMiB);
    MDB_dbi dbi = 0;
    {
        Txn txn(env, Txn::read_write);
        dbi = txn.open_db("t", MDB_CREATE);
        txn.commit();
    }
    const std::string value(64 * 1024, 'v');
    std::size_t stored = 0;
    for (bool full = false; !full;) {
        Txn write(env, Txn::read_write);
        try {
            write.put(dbi, "k" + std::to_string(stored), value);
            write.commit();
            ++stored;
        } catch (const MetaFull& e) {
            CHECK_THAT(e.what(), Catch::Contains("MDB_MAP_FULL"));
            full = true;
        }
    }
    REQUIRE(stored > 4);
    const Txn read(env, Txn::read_only);  // what was committed is all there
    for (std::size_t i = 0; i < stored; ++i) CHECK(read.get(dbi, "k" + std::to_string(i)) == value);
    CHECK(read.usage().used_pages * read.usage().page_size > kMiB / 2);
}

TEST_CASE("bytes per object in the metadata map, by kind of object", "[meta][capacity]") {
    // 16 MiB maps (12 MiB for records): B-trees of steady shape (thousands of
    // leaves for the smallest records), filled in seconds even under qemu.
    const std::uint64_t map = 16 * kMiB;
    const Population populations[] = {
        {"empty (0 B)", 0, 0, 0},
        {"inline 1 KiB", 1024, 1024, 0},
        {"inline 1.75 KiB", 1792, 1792, 0},
        {"inline 2 KiB", 2048, 2048, 0},
        {"inline 4 KiB", 4096, 4096, 0},
        {"1 chunk (up to 8 MiB)", 5 * kMiB, 0, 1},
        {"8 chunks (64 MiB)", 64 * kMiB, 0, 8},
    };
    for (const Population& p : populations) {
        TempDir dir;
        StoreOptions options;
        options.map_size = map;
        Store store(dir.path() / "meta", options);
        create_bucket(store, "b");
        const Filled filled = fill_until_full(store, "b", p);
        const std::uint64_t per_gib = (std::uint64_t{1} << 30) / filled.bytes_per_object;
        std::printf("capacity: %-22s objects=%-6zu bytes/object=%-5llu objects/GiB of map=%llu\n", p.name,
                    filled.objects.size(), static_cast<unsigned long long>(filled.bytes_per_object),
                    static_cast<unsigned long long>(per_gib));
        std::fflush(stdout);
        CHECK_THAT(filled.refusal, Catch::Contains("metadata store full"));
        // Sanity bounds that catch a broken measurement or a bloated record format.
        CHECK(filled.bytes_per_object > p.inline_size + typical_key(0).size());
        CHECK(filled.bytes_per_object < 2 * p.inline_size + 1024 + 128 * p.chunks);
        CHECK(count_listed(store, "b") == filled.objects.size());
    }
}

TEST_CASE("a full metadata map refuses new records, keeps reads and deletes working, and reopens intact",
          "[meta][capacity]") {
    TempDir dir;
    StoreOptions options;
    options.map_size = 8 * kMiB;  // half of it (4 MiB) kept for deletes
    const Population chunked{"1 chunk", 5 * kMiB, 0, 1};
    const Population big_inline{"inline 64 KiB", 64 * 1024, 64 * 1024, 0};  // needs 17 new pages
    std::set<std::size_t> live;  // the numbers of the objects that must be there
    std::size_t next = 0;        // a number no object had yet
    const auto remember = [&](const Filled& filled) {
        live.insert(filled.objects.begin(), filled.objects.end());
        next = *live.rbegin() + kBatch + 1;
    };
    const auto check_all_there = [&](const Store& store) {
        CHECK(count_listed(store, "b") == live.size());
        const Snapshot snap = store.snapshot();
        const BucketRecord b = *snap.catalog().bucket("b");
        for (const std::size_t n : live) {
            const auto v = snap.catalog().newest(b, typical_key(n));
            REQUIRE(v.has_value());
            REQUIRE(v->chunks.size() == 1);
            CHECK(v->chunks[0].chunk_id == hex_id(n * 64 + 1, 32));
        }
    };
    const auto put_big = [&](Store& store) {
        store.write([&](Catalog& c) {
            ObjectVersion v = typical_version(c, next++, big_inline);
            c.put_version(c.bucket_or_refuse("b"), v);
        });
    };
    const auto delete_object = [](std::size_t n) {
        return [n](Catalog& c) { c.delete_version(c.bucket_or_refuse("b"), typical_key(n), "null"); };
    };
    // As 64 clients at a time would (their writes share group commits).
    const auto delete_objects = [&](Store& store, const std::vector<std::size_t>& numbers) {
        std::size_t refused = 0;
        for (std::size_t from = 0; from < numbers.size(); from += kClients) {
            std::vector<Store::Mutation> deletes;
            for (std::size_t k = from; k < std::min(numbers.size(), from + kClients); ++k) {
                deletes.push_back(delete_object(numbers[k]));
            }
            for (const std::exception_ptr& error : run_batch(store, std::move(deletes))) refused += error ? 1 : 0;
            for (std::size_t k = from; k < std::min(numbers.size(), from + kClients); ++k) live.erase(numbers[k]);
        }
        return refused;
    };
    {
        Store store(dir.path() / "meta", options);
        REQUIRE(store.map_size() == 8 * kMiB);
        create_bucket(store, "b");
        remember(fill_until_full(store, "b", chunked));
        REQUIRE(live.size() > 4000);

        // Full: what needs new pages is refused with MetaFull, the reserve kept.
        const MapUsage full = usage_of(store);
        CHECK(full.used_pages * full.page_size <= admission_limit_bytes(8 * kMiB));
        CHECK_THROWS_AS(put_big(store), MetaFull);
        CHECK_THROWS_AS(store.write([&](Catalog& c) {
            UploadRecord u;
            u.upload_id = "upload-1";
            u.bucket = "b";
            u.key = "k";
            u.headers = {{"x-amz-meta-big", std::string(64 * 1024, 'h')}};
            c.create_upload(c.bucket_or_refuse("b"), u);
        }), MetaFull);
        std::string refusal;
        for (int i = 0; i < 1000 && refusal.empty(); ++i) {  // buckets fill their leaf, then are refused
            try {
                create_bucket(store, "bucket-" + std::to_string(i));
            } catch (const MetaFull& e) {
                refusal = e.what();
            }
        }
        CHECK_THAT(refusal, Catch::Contains("metadata store full") && Catch::Contains("of a 8.0 MiB map in use") &&
                                Catch::Contains("4.0 MiB kept for deletes"));
        CHECK(usage_of(store).used_pages * full.page_size <= admission_limit_bytes(8 * kMiB));

        // Reads are unaffected.
        check_all_there(store);

        // Deletes work on the full map: one by one, each its own commit...
        for (int i = 0; i < 50; ++i) {
            store.write(delete_object(*live.begin()));
            live.erase(live.begin());
        }
        // ...and many at once, every 3rd object, as a recursive delete does.
        std::vector<std::size_t> scattered;
        std::size_t i = 0;
        for (const std::size_t n : live) {
            if (i++ % 3 == 0) scattered.push_back(n);
        }
        CHECK(delete_objects(store, scattered) == 0);
        check_all_there(store);

        // Scattered deletes free few pages (LMDB merges a page only when it
        // falls below a quarter full), but their keys fit again where they were.
        const std::set<std::size_t> returned = put_objects(store, scattered, chunked);
        CHECK(returned.size() > scattered.size() * 9 / 10);
        live.insert(returned.begin(), returned.end());
        check_all_there(store);

        // Deleting a range of keys (an old prefix) frees whole pages, which
        // new keys then take.
        // (16 to a mutation, to spare sanitizer builds; the pages are the same.)
        const std::vector<std::size_t> range(live.begin(), std::next(live.begin(), static_cast<std::ptrdiff_t>(live.size() / 2)));
        std::vector<Store::Mutation> range_deletes;
        for (std::size_t from = 0; from < range.size(); from += kPerMutation) {
            range_deletes.push_back([&range, from](Catalog& c) {
                for (std::size_t k = from; k < std::min(range.size(), from + kPerMutation); ++k) {
                    c.delete_version(c.bucket_or_refuse("b"), typical_key(range[k]), "null");
                }
            });
        }
        for (const std::exception_ptr& error : run_batch(store, std::move(range_deletes))) CHECK_FALSE(error);
        for (const std::size_t n : range) live.erase(n);
        const Filled refill = fill_until_full(store, "b", chunked, next);
        std::printf("capacity: full 8 MiB map: %zu scattered deletes, %zu put back; %zu deleted in a range, "
                    "%zu new objects took their room\n",
                    scattered.size(), returned.size(), range.size(), refill.objects.size());
        CHECK(refill.objects.size() > range.size() * 3 / 4);
        remember(refill);
        check_all_there(store);
    }
    {
        // Reopened as it was: full, readable, refusing, deleting.
        Store store(dir.path() / "meta", options);
        check_all_there(store);
        CHECK_THROWS_AS(put_big(store), MetaFull);
        store.write(delete_object(*live.begin()));
        live.erase(live.begin());
    }
    {
        // A larger map (storage.metadata_map_size raised) admits records again.
        options.map_size = 16 * kMiB;
        Store store(dir.path() / "meta", options);
        CHECK(store.map_size() == 16 * kMiB);
        check_all_there(store);
        put_big(store);
        store.write(delete_object(next - 1));
    }
    {
        // A smaller map than the database holds is raised by LMDB to what it holds.
        options.map_size = kMiB;
        Store store(dir.path() / "meta", options);
        CHECK(store.map_size() > 4 * kMiB);
        check_all_there(store);
    }
}
