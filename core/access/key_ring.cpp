#include "core/access/key_ring.hpp"

#include <algorithm>
#include <mutex>

#include "core/runtime/secure_random.hpp"

namespace shoal::access {
namespace {

// Access key ids look like AWS's (20 upper-case letters and digits), with a
// prefix that tells them from the root key's; secrets are 40 characters
// (238 bits) that need no quoting in a shell.
constexpr std::string_view kIdPrefix = "SK";
constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kSecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

void set_grant(std::vector<meta::KeyGrant>& grants, std::uint64_t bucket_id, Permissions permissions) {
    const auto it = std::lower_bound(grants.begin(), grants.end(), bucket_id,
                                     [](const meta::KeyGrant& g, std::uint64_t id) { return g.bucket_id < id; });
    const bool found = it != grants.end() && it->bucket_id == bucket_id;
    if (permissions == kNoPermissions) {
        if (found) grants.erase(it);
    } else if (found) {
        it->permissions = permissions;
    } else {
        grants.insert(it, meta::KeyGrant{bucket_id, permissions});
    }
}

Permissions grant_on(const std::vector<meta::KeyGrant>& grants, std::uint64_t bucket_id) {
    const auto g = std::lower_bound(grants.begin(), grants.end(), bucket_id,
                                    [](const meta::KeyGrant& x, std::uint64_t id) { return x.bucket_id < id; });
    return g != grants.end() && g->bucket_id == bucket_id ? g->permissions : kNoPermissions;
}

KeyRing::KeyRing(meta::Store& store, SecretBox box, RootKey root)
    : store_(store), box_(std::move(box)), root_(std::move(root)) {
    reload();
}

std::optional<std::string> KeyRing::secret_for(std::string_view access_key) const {
    if (is_root(access_key)) return root_.secret_key;
    std::shared_lock lock(mutex_);
    const auto it = keys_.find(access_key);
    if (it == keys_.end() || !it->second.enabled) return std::nullopt;
    return it->second.secret;
}

Permissions KeyRing::permissions(std::string_view access_key, std::uint64_t bucket_id) const {
    if (is_root(access_key)) return kAllPermissions;
    std::shared_lock lock(mutex_);
    const auto it = keys_.find(access_key);
    if (it == keys_.end() || !it->second.enabled) return kNoPermissions;
    return grant_on(it->second.grants, bucket_id);
}

bool KeyRing::allows_in(const meta::Catalog& catalog, std::string_view access_key, std::uint64_t bucket_id,
                        Permission p) const {
    if (is_root(access_key)) return true;
    const std::optional<meta::KeyRecord> record = catalog.key(access_key);
    return record && record->enabled && includes(grant_on(record->grants, bucket_id), p);
}

bool KeyRing::may_create_buckets(std::string_view access_key) const {
    if (is_root(access_key)) return true;
    std::shared_lock lock(mutex_);
    const auto it = keys_.find(access_key);
    return it != keys_.end() && it->second.enabled && it->second.create_buckets;
}

std::size_t KeyRing::unreadable() const {
    std::shared_lock lock(mutex_);
    return unreadable_;
}

void KeyRing::reload() {
    std::map<std::string, Entry, std::less<>> loaded;
    std::size_t unreadable = 0;
    {
        const meta::Snapshot snapshot = store_.snapshot();
        for (meta::KeyRecord& record : snapshot.catalog().keys()) {
            Entry entry;
            entry.secret = box_.open(record.sealed_secret, record.access_key);
            if (!entry.secret) ++unreadable;
            entry.enabled = record.enabled;
            entry.create_buckets = record.create_buckets;
            entry.grants = std::move(record.grants);
            loaded.emplace(std::move(record.access_key), std::move(entry));
        }
    }
    std::unique_lock lock(mutex_);
    keys_.swap(loaded);
    unreadable_ = unreadable;
}

KeyRing::Created KeyRing::create(const std::string& name, bool create_buckets, std::uint64_t now_ms) {
    Created created;
    created.secret_key = runtime::secure_random_text(40, kSecretAlphabet);
    meta::KeyRecord& record = created.record;
    record.name = name;
    record.created_ms = now_ms;
    record.create_buckets = create_buckets;
    store_.write([&](meta::Catalog& catalog) {
        // 18 random characters make a collision unthinkable; checked anyway.
        do {
            record.access_key = std::string(kIdPrefix) + runtime::secure_random_text(18, kIdAlphabet);
        } while (record.access_key == root_.access_key || catalog.key(record.access_key));
        record.sealed_secret = box_.seal(created.secret_key, record.access_key);
        catalog.put_key(record);
    });
    reload();
    return created;
}

meta::KeyRecord KeyRing::update(const std::string& access_key, const std::function<void(meta::KeyRecord&)>& change) {
    meta::KeyRecord updated;
    store_.write([&](meta::Catalog& catalog) {
        std::optional<meta::KeyRecord> record = catalog.key(access_key);
        if (!record) throw UnknownKey("no such access key: " + access_key);
        change(*record);
        catalog.put_key(*record);
        updated = std::move(*record);
    });
    reload();
    return updated;
}

void KeyRing::remove(const std::string& access_key) {
    store_.write([&](meta::Catalog& catalog) {
        if (!catalog.delete_key(access_key)) throw UnknownKey("no such access key: " + access_key);
    });
    reload();
}

void KeyRing::grant_in(meta::Catalog& catalog, const std::string& access_key, std::uint64_t bucket_id,
                       Permissions permissions) {
    std::optional<meta::KeyRecord> record = catalog.key(access_key);
    if (!record) throw UnknownKey("no such access key: " + access_key);
    set_grant(record->grants, bucket_id, permissions);
    catalog.put_key(*record);
}

void KeyRing::forget_bucket_in(meta::Catalog& catalog, std::uint64_t bucket_id) {
    for (meta::KeyRecord& record : catalog.keys()) {
        const std::size_t before = record.grants.size();
        set_grant(record.grants, bucket_id, kNoPermissions);
        if (record.grants.size() != before) catalog.put_key(record);
    }
}

}  // namespace shoal::access
