// The object store of one node: writes object content to inline metadata or
// to chunk files on the drives, commits versions to the metadata store, and
// reads content back. It knows nothing of HTTP or S3: the caller hands in
// checks (preconditions, digest verification) that run at the right moment
// and may throw its own errors.
//
// The way of a PUT: stream the source through the digests; keep it inline if
// it ends within inline_threshold bytes, else write chunks of chunk_size to
// drives chosen by the placement, each chunk durable (fdatasync + rename)
// before the metadata that points to it is committed in a group commit. A
// failure at any point removes the chunks written so far; nothing partial is
// ever visible.
//
// Memory per request: one I/O buffer (io_buffer bytes) plus the chunk
// writer's block buffer, whatever the object size.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/chunk/chunk_store.hpp"
#include "core/ec/reed_solomon.hpp"
#include "core/ec/storage_policy.hpp"
#include "core/engine/byte_source.hpp"
#include "core/engine/content_digests.hpp"
#include "core/engine/read_leases.hpp"
#include "core/log/logger.hpp"
#include "core/meta/store.hpp"
#include "core/placement/conscience.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/storage/drive_directory.hpp"

namespace shoal::engine {

class ErasureGroupReader;

struct EngineOptions {
    std::uint64_t inline_threshold = 4096;        // objects up to this size live in metadata
    std::uint64_t chunk_size = 8 * 1024 * 1024;   // data bytes per chunk file
    std::size_t io_buffer = 1024 * 1024;          // bytes moved per read/write step
    // Chunked content is written under this policy unless the request names
    // another (see ObjectStore::policy_for). Inline content lives in metadata.
    ec::StoragePolicy default_policy;             // SINGLE
    // Erasure coding: content bytes per segment (each encoded on its own).
    // A chunk group holds about k * chunk_size bytes, a whole number of them.
    std::uint32_t segment_size = 1024 * 1024;
    // Size-based choice: content known to be at most small_object_size bytes
    // that would be erasure coded (by the default or its bucket's policy)
    // gets small_object_policy instead (copies: fewer files, no padding).
    std::optional<ec::StoragePolicy> small_object_policy;  // none: no size rule
    std::uint64_t small_object_size = 1024 * 1024;
};

// A drive as the engine uses it: its persistent id and its chunk store.
struct Drive {
    std::uint64_t id = 0;
    std::unique_ptr<chunk::ChunkStore> chunks;
    // The drive's directory and lock, for drives attached while running
    // (the ObjectStore then holds the lock); null for the others.
    std::unique_ptr<storage::DriveDirectory> directory;
};

// Called inside a commit transaction before it writes anything, with the
// catalog as that transaction sees it and the bucket it found under the
// request's name: the caller repeats there what must still hold when the
// write becomes visible (the bucket is the one it checked access to, the key
// still holds its grant, conditional writes) and throws to refuse; nothing
// is then committed, and chunks written for the request are freed.
using CommitCheck = std::function<void(const meta::Catalog&, const meta::BucketRecord&)>;

struct PutInput {
    std::string bucket;
    std::string key;
    std::vector<std::pair<std::string, std::string>> headers;  // stored, returned on GET/HEAD
    std::vector<std::pair<std::string, std::string>> tags;
    std::string storage_class = "STANDARD";
    // The content's size when known before it is read (Content-Length): for
    // the size-based policy choice (EngineOptions::small_object_policy).
    std::optional<std::uint64_t> expected_size;
    ChecksumAlgorithm checksum = ChecksumAlgorithm::none;
    std::uint64_t max_size = std::uint64_t{5} << 30;
    // Called with the digests once all content is written, before the commit;
    // throw to refuse (e.g. a Content-MD5 mismatch).
    std::function<void(const ContentDigests::Result&)> verify;
    // Run in the commit transaction (CommitCheck); create_upload runs it too.
    CommitCheck check;
};

struct DeleteOutcome {
    bool found = false;            // something was removed or a marker added
    bool delete_marker = false;    // the outcome is (or removed) a delete marker
    std::string version_id;        // of the marker added or the version removed
};

// Thrown when content size passes max_size; the caller maps it to EntityTooLarge.
class TooLarge : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when no drive can store or serve data (all full or failed, or a
// drive the metadata names is missing). The message names what is missing.
class StorageUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when an object's data cannot be read back: more of its pieces are
// missing or damaged than its policy tolerates. The message names the object
// and each unusable piece's drive and error. The caller maps it to 500.
class ObjectUnreadable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when a request asks for a storage class or policy this node cannot
// honour; the message says why. The caller maps it to InvalidStorageClass.
class InvalidPolicy : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A version a read found damaged: some pieces missing, unreadable or failing
// their checks (bad_chunks: their chunk ids), the read served from the others.
struct DamageReport {
    std::string bucket;
    std::string key;
    std::string version_id;
    std::vector<std::string> bad_chunks;
};

// One part of a CompleteMultipartUpload request.
struct CompletedPart {
    std::uint32_t number = 0;
    std::string etag;  // as the client sent it, quotes removed
};

class ObjectStore {
public:
    ObjectStore(meta::Store& meta, std::vector<Drive> drives, placement::Conscience& conscience,
                runtime::BlockingPool& pool, EngineOptions options, log::Logger& log);
    // Waits for chunk removals under way. Chunks still waiting for leases
    // are left to the orphan collector of the next start.
    ~ObjectStore();
    ObjectStore(const ObjectStore&) = delete;
    ObjectStore& operator=(const ObjectStore&) = delete;

    asio::awaitable<meta::ObjectVersion> put(PutInput input, ByteSource& source);

    // Without version_id: the versioning-aware S3 delete (marker or removal).
    // `admit` runs in the commit transaction first (CommitCheck).
    asio::awaitable<DeleteOutcome> remove(std::string bucket, std::string key, std::optional<std::string> version_id,
                                          CommitCheck admit = {});

    // Replaces the tags of one version (the newest without version_id) in its
    // record: no new version is made (as S3 does). `admit` runs in the commit
    // transaction first (CommitCheck), then `check` with the version found,
    // which may throw too (delete markers). Refuses with no_such_key /
    // no_such_version. Returns the version stored.
    asio::awaitable<meta::ObjectVersion> set_tags(std::string bucket, std::string key,
                                                  std::optional<std::string> version_id,
                                                  std::vector<std::pair<std::string, std::string>> tags,
                                                  CommitCheck admit,
                                                  std::function<void(const meta::ObjectVersion&)> check);

    // --- multipart uploads ---
    // Starts an upload described by `input` (headers, tags, storage class,
    // checksum algorithm); returns its id.
    asio::awaitable<std::string> create_upload(const PutInput& input);
    // Stores one part (replacing an earlier one with the same number).
    // `admit` runs in the commit transaction (CommitCheck). An upload belongs
    // to the bucket it was created in: found under a bucket of the same name
    // but another id (deleted and re-created), it is no_such_upload.
    asio::awaitable<meta::PartRecord> put_part(std::string bucket, std::string key, std::string upload_id,
                                               std::uint32_t number, ChecksumAlgorithm checksum,
                                               std::function<void(const ContentDigests::Result&)> verify,
                                               ByteSource& source, CommitCheck admit = {});
    // Joins the listed parts into the object's new version, which records the
    // upload's id (meta::ObjectVersion::upload_id). `check` runs in the commit
    // transaction with the catalog, the bucket and the listed parts (number 0:
    // not uploaded) and may throw (access, InvalidPart, EntityTooSmall,
    // conditional writes...). Parts not listed are freed.
    using CompletionCheck = std::function<void(const meta::Catalog&, const meta::BucketRecord&,
                                               const std::vector<meta::PartRecord>& listed)>;
    asio::awaitable<meta::ObjectVersion> complete_upload(std::string bucket, std::string key, std::string upload_id,
                                                         std::vector<CompletedPart> parts, CompletionCheck check);
    asio::awaitable<void> abort_upload(std::string bucket, std::string key, std::string upload_id,
                                       CommitCheck admit = {});

    // Reads content bytes of a version: see Reader. Take a lease before
    // reading the metadata that names the version, and hold it while reading:
    // the chunks of a version deleted meanwhile stay until it ends.
    class Reader;
    ReadLeases::Lease lease_reads() { return leases_.acquire(); }
    // `bucket` is the version's: damage found while reading is reported with it.
    std::unique_ptr<Reader> open(const meta::ObjectVersion& version, std::string bucket);

    // Who hears of versions a read found damaged (served from the other
    // pieces), to repair them: set once, before serving. Called from any
    // thread; must not block.
    using DamageHandler = std::function<void(DamageReport)>;
    void set_damage_handler(DamageHandler handler) { damage_handler_ = std::move(handler); }
    void report_damage(DamageReport report) {
        if (damage_handler_) damage_handler_(std::move(report));
    }

    // Frees the chunks of versions removed from metadata (after their commit):
    // at once, or when the read leases in their way end.
    asio::awaitable<void> free_chunks(const std::vector<meta::ObjectVersion>& removed);
    asio::awaitable<void> free_parts(const std::vector<meta::PartRecord>& removed);

    meta::Store& meta() { return meta_; }
    runtime::BlockingPool& pool() { return pool_; }
    placement::Conscience& conscience() { return conscience_; }
    const EngineOptions& options() const { return options_; }
    log::Logger& log() { return log_; }
    chunk::ChunkStore* drive(std::uint64_t id);
    // The drives, in the order they were given or attached; stable: drives
    // are only ever added, never removed or moved, while the store lives.
    std::span<const Drive> drives() const { return {drive_slots_.get(), drive_count_.load(std::memory_order_acquire)}; }
    // Adds a drive while running (any thread): readers see it complete or
    // not at all. Throws std::runtime_error when its id is already here or
    // kMaxDrives are.
    void add_drive(Drive drive);
    static constexpr std::size_t kMaxDrives = 64;
    // Removes chunk files (blocking: call on the pool); failures are logged and
    // left to the orphan collector.
    void remove_chunks(const std::vector<meta::ChunkRef>& refs);
    // Frees chunks a commit just unlinked from metadata (blocking): at once,
    // or when the read leases in their way end.
    void retire_chunks(std::vector<meta::ChunkRef> refs);

    // A fresh version sequence: increasing, and above every committed one.
    std::uint64_t next_seq();

    // The policy for content stored with `storage_class` (x-amz-storage-class,
    // checked by the S3 layer) in a bucket whose policy is `bucket_policy`
    // ("" for none), of `size` bytes if known:
    // - a policy name (THREECOPIES, EC4+2, ...) is that policy, and
    //   REDUCED_REDUNDANCY is SINGLE;
    // - anything else (STANDARD, none, the other AWS classes) takes the
    //   bucket's policy, else the default; and if that is erasure coded and
    //   the content is known to be small, the small-object policy.
    // Throws InvalidPolicy for a policy that needs more drives than this node
    // has (or a bucket policy that no longer parses).
    ec::StoragePolicy policy_for(std::string_view storage_class, std::string_view bucket_policy = {},
                                 std::optional<std::uint64_t> size = std::nullopt) const;
    // The policy of a bucket, "" when it has none (or does not exist).
    std::string bucket_policy(std::string_view bucket) const;
    // Sets (or, with nullopt, clears) a bucket's policy: what its new content
    // is written under unless a request names a policy. Throws InvalidPolicy
    // when this node cannot honour it, meta::Refused when there is no bucket.
    asio::awaitable<void> set_bucket_policy(std::string bucket, std::optional<ec::StoragePolicy> policy);
    // Whether this node can write under `policy` (the reason if not).
    std::optional<std::string> cannot_write(const ec::StoragePolicy& policy) const;
    // The EC segment size new content under `policy` gets (0 for copies).
    std::uint32_t segment_size_for(const ec::StoragePolicy& policy) const;
    // The codec of an erasure-coding policy, made on first use and kept (the
    // matrices cost a few KiB; every request under the policy shares them).
    const ec::ReedSolomon& codec(const ec::StoragePolicy& policy);

private:
    meta::Store& meta_;
    // kMaxDrives slots, [0, drive_count_) in use: a fixed array, so that a
    // drive added while requests run never moves the others.
    std::unique_ptr<Drive[]> drive_slots_;
    std::atomic<std::size_t> drive_count_{0};
    std::mutex add_drive_mutex_;
    placement::Conscience& conscience_;
    runtime::BlockingPool& pool_;
    const EngineOptions options_;
    log::Logger& log_;
    std::atomic<std::uint64_t> last_seq_;

    DamageHandler damage_handler_;
    std::mutex codecs_mutex_;
    std::map<std::tuple<int, int, ec::RsAlgorithm>, std::unique_ptr<ec::ReedSolomon>> codecs_;

    // Chunk removals handed to the pool when the last lease in their way ended.
    void reclaim_later(std::vector<meta::ChunkRef> refs);
    std::mutex reclaim_mutex_;
    std::condition_variable reclaim_done_;
    std::size_t reclaiming_ = 0;
    ReadLeases leases_;  // last: its reclaim function uses the members above
};

// Reads a version's content. A chunk with several copies is read from one of
// them; a copy that is missing, damaged (a block fails its check) or on a
// failed drive is skipped for the next, and the damage is logged for repair.
// Only when every copy fails does the read fail, with the first copy's error
// (ChunkError, or StorageUnavailable for a drive this node does not have).
// Erasure-coded content is read through ErasureGroupReader (data fragments
// when healthy, any k fragments decoded when not).
class ObjectStore::Reader {
public:
    // Throws StorageUnavailable when the version's policy is unknown to this
    // build (a record from a newer one).
    Reader(ObjectStore& store, const meta::ObjectVersion& version, std::string bucket);
    // Reports the damage found, if any (ObjectStore::set_damage_handler).
    ~Reader();
    // Reads up to out.size() bytes at `offset`; returns the count (0 at the end).
    asio::awaitable<std::size_t> read(std::uint64_t offset, std::span<char> out);

private:
    // Reads from copy `index` of a chunk (blocking; on the pool).
    void read_copy(std::size_t index, std::uint64_t in_chunk, std::size_t length, char* out);
    asio::awaitable<std::size_t> read_erasure(std::size_t first_index, std::size_t last_index,
                                              std::uint64_t in_group, std::size_t length, char* out);

    // Notes a piece found bad; the reader reports them all when it ends.
    void note_damage(const std::string& chunk_id);
    // Notes what the current erasure group found bad.
    void note_group_damage();

    ObjectStore& store_;
    const meta::ObjectVersion& version_;
    const std::string bucket_;
    std::vector<std::string> bad_chunks_;  // reported to the store's damage handler at the end
    ec::StoragePolicy policy_;
    // Erasure coding: the group last read (by its first ref's index).
    std::size_t group_index_ = SIZE_MAX;
    std::unique_ptr<ErasureGroupReader> group_;
    // The chunk file last read (an index into version_.chunks), kept open for
    // the next read.
    std::size_t open_index_ = SIZE_MAX;
    std::optional<chunk::ChunkReader> open_reader_;
};

}  // namespace shoal::engine
