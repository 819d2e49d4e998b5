// Who may do what on this node: the root key, which may do everything, and
// the access keys of the metadata store's `keys` table, each with its grants
// per bucket (a model like Garage's: permissions belong to a (key, bucket)
// pair, and a key sees only the buckets it holds a grant on).
//
// The ring keeps the keys table decoded in memory (secrets opened), so
// checking a request costs no transaction and no decryption. Invariant: after
// every committed change of the keys table, reload() runs before the change is
// acknowledged; the administration functions below do it themselves, and a
// mutation that changes keys some other way (grant_in) is followed by one.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/access/permission.hpp"
#include "core/access/secret_box.hpp"
#include "core/meta/store.hpp"

namespace shoal::access {

struct RootKey {
    std::string access_key;
    std::string secret_key;
};

// A key that is not in the table (NoSuchKey for the admin API).
class UnknownKey : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class KeyRing {
public:
    // Loads the table. Throws what reading it throws.
    KeyRing(meta::Store& store, SecretBox box, RootKey root);

    // --- checks (any thread, no I/O) ---
    // The secret of the root key or of an enabled key, for the SigV4 verifier.
    std::optional<std::string> secret_for(std::string_view access_key) const;
    bool is_root(std::string_view access_key) const { return access_key == root_.access_key; }
    // The permissions `access_key` holds on the bucket with this id (root: all).
    Permissions permissions(std::string_view access_key, std::uint64_t bucket_id) const;
    bool allows(std::string_view access_key, std::uint64_t bucket_id, Permission p) const {
        return includes(permissions(access_key, bucket_id), p);
    }
    bool may_create_buckets(std::string_view access_key) const;
    // The same question as allows(), asked of the keys table as `catalog`'s
    // transaction sees it rather than of the ring in memory: inside a commit,
    // so that a key disabled, deleted or denied before the commit cannot
    // make it (root: always allowed).
    bool allows_in(const meta::Catalog& catalog, std::string_view access_key, std::uint64_t bucket_id,
                   Permission p) const;
    // Keys whose sealed secret did not open at the last reload (a wrong or
    // replaced sealing key): they cannot sign anything.
    std::size_t unreadable() const;

    // --- administration (blocking: each commits, then reloads) ---
    struct Created {
        meta::KeyRecord record;
        std::string secret_key;  // shown once, to whoever created the key
    };
    Created create(const std::string& name, bool create_buckets, std::uint64_t now_ms);
    // Applies `change` to the key's record and stores it; throws UnknownKey.
    meta::KeyRecord update(const std::string& access_key, const std::function<void(meta::KeyRecord&)>& change);
    void remove(const std::string& access_key);  // throws UnknownKey

    // Inside a mutation: gives `access_key` (not root) `permissions` on a bucket
    // (kNoPermissions removes the grant). The caller reloads after the commit.
    static void grant_in(meta::Catalog& catalog, const std::string& access_key, std::uint64_t bucket_id,
                         Permissions permissions);
    // Inside a mutation: removes every grant on a bucket that is being deleted.
    static void forget_bucket_in(meta::Catalog& catalog, std::uint64_t bucket_id);

    void reload();

private:
    struct Entry {
        std::optional<std::string> secret;  // nullopt: did not open
        bool enabled = true;
        bool create_buckets = false;
        std::vector<meta::KeyGrant> grants;  // ordered by bucket id
    };

    meta::Store& store_;
    const SecretBox box_;
    const RootKey root_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, Entry, std::less<>> keys_;
    std::size_t unreadable_ = 0;
};

// Grants are kept ordered by bucket id; sets (or with kNoPermissions removes) one.
void set_grant(std::vector<meta::KeyGrant>& grants, std::uint64_t bucket_id, Permissions permissions);
// The permissions a grant list holds on one bucket.
Permissions grant_on(const std::vector<meta::KeyGrant>& grants, std::uint64_t bucket_id);

}  // namespace shoal::access
