#include <catch2/catch.hpp>

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

ObjectVersion put(Store& store, const std::string& key, std::uint64_t size) {
    ObjectVersion v;
    store.write([&](Catalog& c) {
        v.key = key;
        v.seq = c.next_seq(1);
        v.size = size;
        v.inline_data.assign(size, 'x');
        c.put_version(c.bucket_or_refuse("b"), v);
    });
    return v;
}

}  // namespace

TEST_CASE("rewriting a version changes its record in place, null or not", "[meta]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    store.write([](Catalog& c) { c.create_bucket("b", 1); });
    const std::string long_key(700, 'k');  // segmented: the rewrite must find it as reads do
    ObjectVersion null_version = put(store, long_key, 1);
    store.write([](Catalog& c) { c.set_versioning("b", Versioning::enabled); });
    ObjectVersion newer = put(store, long_key, 2);

    null_version.tags = {{"a", "1"}};
    newer.tags = {{"b", "2"}, {"c", "3"}};
    store.write([&](Catalog& c) {
        const BucketRecord b = c.bucket_or_refuse("b");
        c.rewrite_version(b, null_version);
        c.rewrite_version(b, newer);
    });
    const Snapshot s = store.snapshot();
    const BucketRecord b = *s.catalog().bucket("b");
    const auto page = s.catalog().list_versions(b, {});
    REQUIRE(page.versions.size() == 2);  // no version was added
    CHECK(page.versions[0].version.tags == newer.tags);
    CHECK(page.versions[0].latest);
    CHECK(page.versions[1].version.null_version);
    CHECK(s.catalog().version(b, long_key, "null")->tags == null_version.tags);
    REQUIRE(s.catalog().list(b, {}).objects.size() == 1);
    CHECK(s.catalog().list(b, {}).objects[0].summary.size == 2);

    ObjectVersion missing = newer;
    missing.seq += 1;
    CHECK_THROWS_AS(store.write([&](Catalog& c) { c.rewrite_version(c.bucket_or_refuse("b"), missing); }), Refused);
}
