#include "core/access/key_ring.hpp"

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using namespace shoal::access;
using shoal::meta::Catalog;
using shoal::meta::Store;
using shoal::meta::StoreOptions;
using shoal::testing::TempDir;

namespace {

StoreOptions small_map() {
    StoreOptions options;
    options.map_size = std::uint64_t{64} << 20;
    return options;
}

}  // namespace

TEST_CASE("grants stay ordered by bucket, one per bucket", "[access]") {
    std::vector<shoal::meta::KeyGrant> grants;
    set_grant(grants, 7, kAllPermissions);
    set_grant(grants, 3, 1);
    set_grant(grants, 9, 2);
    set_grant(grants, 3, 3);
    REQUIRE(grants.size() == 3);
    CHECK(grants[0].bucket_id == 3);
    CHECK(grants[0].permissions == 3);
    CHECK(grants[1].bucket_id == 7);
    CHECK(grants[2].bucket_id == 9);
    set_grant(grants, 7, kNoPermissions);
    set_grant(grants, 8, kNoPermissions);  // none to remove
    REQUIRE(grants.size() == 2);
    CHECK(grants[1].bucket_id == 9);
}

TEST_CASE("the key ring answers from the keys table, sealed at rest", "[access]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    SecretBox::Key sealing{};
    sealing[5] = 9;
    KeyRing ring(store, SecretBox(sealing), RootKey{"ROOTKEY", "root-secret"});

    CHECK(ring.secret_for("ROOTKEY") == "root-secret");
    CHECK(ring.permissions("ROOTKEY", 42) == kAllPermissions);
    CHECK(ring.may_create_buckets("ROOTKEY"));

    const KeyRing::Created made = ring.create("backup job", false, 1000);
    const std::string& id = made.record.access_key;
    CHECK(id.size() == 20);
    CHECK(id.rfind("SK", 0) == 0);
    CHECK(made.secret_key.size() == 40);
    CHECK(ring.secret_for(id) == made.secret_key);
    CHECK(ring.permissions(id, 42) == kNoPermissions);
    CHECK_FALSE(ring.may_create_buckets(id));
    // The table holds the secret sealed, never in clear.
    const auto stored = store.snapshot().catalog().key(id);
    REQUIRE(stored);
    CHECK(stored->name == "backup job");
    CHECK(stored->sealed_secret.find(made.secret_key) == std::string::npos);

    ring.update(id, [](shoal::meta::KeyRecord& r) { set_grant(r.grants, 42, 3); });
    CHECK(ring.allows(id, 42, Permission::read));
    CHECK(ring.allows(id, 42, Permission::write));
    CHECK_FALSE(ring.allows(id, 42, Permission::owner));
    CHECK_FALSE(ring.allows(id, 43, Permission::read));

    store.write([&](Catalog& catalog) { KeyRing::forget_bucket_in(catalog, 42); });
    ring.reload();
    CHECK(ring.permissions(id, 42) == kNoPermissions);

    ring.update(id, [](shoal::meta::KeyRecord& r) { r.enabled = false; });
    CHECK_FALSE(ring.secret_for(id).has_value());
    ring.update(id, [](shoal::meta::KeyRecord& r) { r.enabled = true; });
    CHECK(ring.secret_for(id) == made.secret_key);

    // Another node's sealing key (or a replaced file) opens nothing.
    sealing[5] = 10;
    KeyRing stranger(store, SecretBox(sealing), RootKey{"ROOTKEY", "root-secret"});
    CHECK(stranger.unreadable() == 1);
    CHECK_FALSE(stranger.secret_for(id).has_value());

    ring.remove(id);
    CHECK_FALSE(ring.secret_for(id).has_value());
    CHECK_THROWS_AS(ring.remove(id), UnknownKey);
    CHECK_THROWS_AS(ring.update(id, [](shoal::meta::KeyRecord&) {}), UnknownKey);
}

TEST_CASE("inside a transaction, a key's grant is read from the table, not from the ring", "[access]") {
    TempDir dir;
    Store store(dir.path() / "meta", small_map());
    KeyRing ring(store, SecretBox(SecretBox::Key{}), RootKey{"ROOTKEY", "root-secret"});
    const std::string id = ring.create("uploader", false, 1000).record.access_key;
    ring.update(id, [](shoal::meta::KeyRecord& r) { set_grant(r.grants, 42, 3); });
    const auto allowed_now = [&](std::uint64_t bucket, Permission p) {
        return ring.allows_in(store.snapshot().catalog(), id, bucket, p);
    };
    CHECK(allowed_now(42, Permission::write));
    CHECK_FALSE(allowed_now(42, Permission::owner));
    CHECK_FALSE(allowed_now(43, Permission::write));
    CHECK(ring.allows_in(store.snapshot().catalog(), "ROOTKEY", 43, Permission::owner));

    // A change committed but not yet reloaded into the ring: the ring still
    // says yes, the table (what a commit sees) says no.
    store.write([&](Catalog& catalog) {
        auto record = catalog.key(id);
        record->enabled = false;
        catalog.put_key(*record);
    });
    CHECK(ring.allows(id, 42, Permission::write));
    CHECK_FALSE(allowed_now(42, Permission::write));
    ring.reload();
    CHECK_FALSE(ring.allows(id, 42, Permission::write));

    ring.update(id, [](shoal::meta::KeyRecord& r) { r.enabled = true; });
    CHECK(allowed_now(42, Permission::write));
    store.write([&](Catalog& catalog) { KeyRing::grant_in(catalog, id, 42, static_cast<Permissions>(Permission::read)); });
    CHECK(allowed_now(42, Permission::read));
    CHECK_FALSE(allowed_now(42, Permission::write));
    store.write([&](Catalog& catalog) { catalog.delete_key(id); });
    CHECK_FALSE(allowed_now(42, Permission::read));
}
