// The metadata operations of one node, inside one LMDB transaction:
// buckets, object versions, the current view used by listings.
//
// Databases (all in one environment):
//   system      counters (next namespace id, last version sequence)
//   buckets     bucket name -> BucketRecord
//   namespaces  segmented-key links (see segmented_keys.hpp)
//   versions    (bucket ns, object key, ~seq) -> ObjectVersion   newest first per key
//   current     (bucket ns, object key)       -> ObjectSummary   only keys whose newest
//                                                                 version is not a delete marker
//   uploads     upload id                     -> UploadRecord    multipart uploads in progress
//   upload_keys (bucket ns, object key, seq | upload id) -> ""   uploads in listing order
//   parts       upload id | part number (4 bytes BE) -> PartRecord
//   keys        access key id                 -> KeyRecord       access keys but root
// Invariant: after every committed transaction, `current` holds exactly the
// summary of each key's newest version when that version is not a delete
// marker. Both are changed together by put_version/delete_version only.
//
// Writes that make the database grow (create_bucket, put_version,
// create_upload, put_part) throw MetaFull once the map is full up to its
// reserve (capacity.hpp), after writing: the transaction must then be
// aborted, as the store does with a mutation that throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/meta/lmdb.hpp"
#include "core/meta/records.hpp"
#include "core/meta/segmented_keys.hpp"

namespace shoal::meta {

struct Tables {
    MDB_dbi system = 0;
    MDB_dbi buckets = 0;
    MDB_dbi namespaces = 0;
    MDB_dbi versions = 0;
    MDB_dbi current = 0;
    MDB_dbi uploads = 0;
    MDB_dbi upload_keys = 0;
    MDB_dbi parts = 0;
    MDB_dbi keys = 0;
};

// An operation refused because of the state it found (the caller maps it to
// its protocol's error).
enum class Refusal { no_such_bucket, bucket_exists, bucket_not_empty, no_such_key, no_such_version, no_such_upload };

class Refused : public MetaError {
public:
    Refused(Refusal why, const std::string& what) : MetaError(what), why_(why) {}
    Refusal why() const { return why_; }

private:
    Refusal why_;
};

struct ListQuery {
    std::string prefix;
    std::string delimiter;
    std::string start_after;  // exclusive; a common prefix here skips all its keys
    std::size_t max_keys = 1000;
};

struct ListedObject {
    std::string key;
    ObjectSummary summary;
};

struct ListPage {
    std::vector<ListedObject> objects;
    std::vector<std::string> common_prefixes;
    bool truncated = false;
    std::string last;  // the last key or common prefix returned (the next marker)
};

struct VersionsQuery {
    std::string prefix;
    std::string delimiter;
    std::string key_marker;         // start after this key...
    std::string version_id_marker;  // ...or after this version of it
    std::size_t max_keys = 1000;
};

struct ListedVersion {
    ObjectVersion version;  // without inline data
    bool latest = false;
};

struct VersionsPage {
    std::vector<ListedVersion> versions;
    std::vector<std::string> common_prefixes;
    bool truncated = false;
    std::string next_key_marker;
    std::string next_version_id_marker;
};

struct UploadsQuery {
    std::string prefix;
    std::string delimiter;
    std::string key_marker;
    std::string upload_id_marker;
    std::size_t max_uploads = 1000;
};

struct UploadsPage {
    std::vector<UploadRecord> uploads;
    std::vector<std::string> common_prefixes;
    bool truncated = false;
    std::string next_key_marker;
    std::string next_upload_id_marker;
};

struct PartsPage {
    std::vector<PartRecord> parts;
    bool truncated = false;
    std::uint32_t next_marker = 0;
};

class Catalog {
public:
    Catalog(Txn& txn, const Tables& tables);

    // --- buckets ---
    std::optional<BucketRecord> bucket(std::string_view name) const;
    BucketRecord bucket_or_refuse(std::string_view name) const;
    std::vector<BucketRecord> buckets() const;
    BucketRecord create_bucket(std::string_view name, std::uint64_t now_ms);
    void delete_bucket(std::string_view name);  // refuses unless it holds no versions
    void set_versioning(std::string_view name, Versioning state);
    // Sets the bucket's storage policy name ("" for the node's default).
    void set_bucket_policy(std::string_view name, const std::string& policy);
    void set_public_read(std::string_view name, bool public_read);

    // --- access keys (core/access/ gives them meaning) ---
    std::optional<KeyRecord> key(std::string_view access_key) const;
    std::vector<KeyRecord> keys() const;
    void put_key(const KeyRecord& record);
    bool delete_key(std::string_view access_key);  // false if there was none

    // --- object versions ---
    // A fresh version sequence number: above every earlier one and above now_us * 256.
    std::uint64_t next_seq(std::uint64_t now_us);
    // The highest sequence number committed (seeds the engine's version clock).
    std::uint64_t last_seq() const;
    std::optional<ObjectVersion> newest(const BucketRecord& bucket, std::string_view key) const;
    // version_id "null" selects the null version.
    std::optional<ObjectVersion> version(const BucketRecord& bucket, std::string_view key,
                                         std::string_view version_id) const;
    // Stores `v` as the newest version of its key under the bucket's versioning
    // rules (replacing the null version when unversioned or suspended), and
    // sets v.null_version accordingly. Returns the versions it removed, whose
    // data the caller must free.
    std::vector<ObjectVersion> put_version(const BucketRecord& bucket, ObjectVersion& v);
    // Removes one version. Returns it.
    ObjectVersion delete_version(const BucketRecord& bucket, std::string_view key, std::string_view version_id);
    // Stores `v` over the existing record of the same key and sequence (a
    // change that makes no new version, e.g. its tags), keeping its place,
    // its null_version flag and whatever the caller left unchanged. Refuses
    // with no_such_version if there is no such record.
    void rewrite_version(const BucketRecord& bucket, const ObjectVersion& v);

    // --- multipart uploads ---
    void create_upload(const BucketRecord& bucket, const UploadRecord& upload);
    std::optional<UploadRecord> upload(std::string_view upload_id) const;
    // The upload, checked to belong to bucket/key; refuses with no_such_upload.
    UploadRecord upload_or_refuse(std::string_view bucket, std::string_view key, std::string_view upload_id) const;
    // The same, and created in this very bucket (its id, not only its name):
    // what commits check.
    UploadRecord upload_or_refuse(const BucketRecord& bucket, std::string_view key, std::string_view upload_id) const;
    // Stores a part; returns the part it replaced, whose chunks the caller frees.
    std::optional<PartRecord> put_part(std::string_view upload_id, const PartRecord& part);
    std::optional<PartRecord> part(std::string_view upload_id, std::uint32_t number) const;
    PartsPage parts(std::string_view upload_id, std::uint32_t after, std::size_t max_parts) const;
    // Removes the upload and all its parts; returns the parts.
    std::vector<PartRecord> remove_upload(const BucketRecord& bucket, const UploadRecord& upload);
    UploadsPage list_uploads(const BucketRecord& bucket, const UploadsQuery& query) const;

    // The version that completing `upload_id` made, if it is still one of
    // the key's versions newer than the upload's start, looking at the newest
    // `limit` versions at most: for a CompleteMultipartUpload retried after
    // it succeeded.
    std::optional<ObjectVersion> version_from_upload(const BucketRecord& bucket, std::string_view key,
                                                     std::string_view upload_id, std::size_t limit) const;

    ListPage list(const BucketRecord& bucket, const ListQuery& query) const;
    VersionsPage list_versions(const BucketRecord& bucket, const VersionsQuery& query) const;

    // How much of the map the database occupies, as this transaction sees it.
    MapUsage usage() const { return txn_.usage(); }

private:
    static std::uint64_t allocate_id(Txn& txn, void* self);
    std::uint64_t bump(std::string_view counter);
    void refresh_current(const BucketRecord& bucket, std::string_view key);
    bool bucket_has_versions(const BucketRecord& bucket) const;

    Txn& txn_;
    const Tables& tables_;
    SegmentedKeys keys_;
};

}  // namespace shoal::meta
