#include "core/engine/object_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "core/engine/async_commit.hpp"
#include "core/engine/content_writer.hpp"
#include "core/engine/erasure_group_reader.hpp"
#include "core/hash/encoding.hpp"
#include "core/meta/capacity.hpp"

namespace shoal::engine {
namespace {

// Room an upload asks for before its body is read: a few records' pages. A
// store closer than this to its limit refuses uploads at once (507) instead
// of after receiving them; the commit still checks exactly.
constexpr std::uint64_t kUploadHeadroom = 64 * 1024;

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::uint64_t now_us() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::uint64_t committed_seq(meta::Store& store) { return store.snapshot().catalog().last_seq(); }

std::vector<meta::ChunkRef> chunks_of(const std::vector<meta::PartRecord>& parts) {
    std::vector<meta::ChunkRef> refs;
    for (const meta::PartRecord& p : parts) refs.insert(refs.end(), p.chunks.begin(), p.chunks.end());
    return refs;
}

}  // namespace

ObjectStore::ObjectStore(meta::Store& meta, std::vector<Drive> drives, placement::Conscience& conscience,
                         runtime::BlockingPool& pool, EngineOptions options, log::Logger& log)
    : meta_(meta),
      drive_slots_(std::make_unique<Drive[]>(kMaxDrives)),
      conscience_(conscience),
      pool_(pool),
      options_(options),
      log_(log),
      last_seq_(committed_seq(meta)),
      leases_([this](std::vector<meta::ChunkRef> refs) { reclaim_later(std::move(refs)); }) {
    for (Drive& d : drives) add_drive(std::move(d));
}

void ObjectStore::add_drive(Drive drive) {
    std::lock_guard lock(add_drive_mutex_);
    const std::size_t count = drive_count_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < count; ++i) {
        if (drive_slots_[i].id == drive.id) {
            throw std::runtime_error("drive " + meta::format_version_id(drive.id) + " is already attached");
        }
    }
    if (count == kMaxDrives) {
        throw std::runtime_error("this node has " + std::to_string(kMaxDrives) + " drives, the most it takes");
    }
    drive_slots_[count] = std::move(drive);
    drive_count_.store(count + 1, std::memory_order_release);  // readers see the slot whole
}

ObjectStore::~ObjectStore() {
    std::unique_lock lock(reclaim_mutex_);
    reclaim_done_.wait(lock, [this] { return reclaiming_ == 0; });
}

void ObjectStore::reclaim_later(std::vector<meta::ChunkRef> refs) {
    {
        std::lock_guard lock(reclaim_mutex_);
        ++reclaiming_;
    }
    pool_.post([this, refs = std::move(refs)] {
        remove_chunks(refs);
        std::lock_guard lock(reclaim_mutex_);
        --reclaiming_;
        reclaim_done_.notify_all();
    });
}

std::uint64_t ObjectStore::next_seq() {
    std::uint64_t last = last_seq_.load();
    std::uint64_t next;
    do {
        next = std::max(last + 1, now_us() * 256);
    } while (!last_seq_.compare_exchange_weak(last, next));
    return next;
}

ec::StoragePolicy ObjectStore::policy_for(std::string_view storage_class, std::string_view bucket_policy,
                                          std::optional<std::uint64_t> size) const {
    ec::StoragePolicy policy = options_.default_policy;
    if (storage_class == "REDUCED_REDUNDANCY") {
        policy = ec::StoragePolicy{};  // SINGLE
    } else if (const auto named = ec::StoragePolicy::parse(storage_class)) {
        policy = *named;
    } else {
        if (!bucket_policy.empty()) {
            const auto of_bucket = ec::StoragePolicy::parse(bucket_policy);
            if (!of_bucket) throw InvalidPolicy("the bucket's storage policy " + std::string(bucket_policy) + " is not valid");
            policy = *of_bucket;
        }
        if (policy.kind == ec::StoragePolicy::Kind::erasure && options_.small_object_policy && size &&
            *size <= options_.small_object_size) {
            policy = *options_.small_object_policy;
        }
    }
    if (const auto why = cannot_write(policy)) throw InvalidPolicy(*why);
    return policy;
}

asio::awaitable<void> ObjectStore::set_bucket_policy(std::string bucket, std::optional<ec::StoragePolicy> policy) {
    if (policy) {
        if (const auto why = cannot_write(*policy)) throw InvalidPolicy(*why);
    }
    const std::string name = policy ? policy->to_string() : std::string();
    co_await async_commit(meta_, [&](meta::Catalog& catalog) { catalog.set_bucket_policy(bucket, name); });
}

std::string ObjectStore::bucket_policy(std::string_view bucket) const {
    const meta::Snapshot snapshot = meta_.snapshot();
    const auto record = snapshot.catalog().bucket(bucket);
    return record ? record->policy : std::string();
}

std::optional<std::string> ObjectStore::cannot_write(const ec::StoragePolicy& policy) const {
    if (policy.distance != ec::LocationLevel::drive) {
        return "storage policy " + policy.to_string() + ": this node is a grid of one, its pieces can only be " +
               "apart by drive";
    }
    if (!ec::fits(policy, drives().size())) {
        return "storage policy " + policy.to_string() + " needs " + std::to_string(policy.pieces()) +
               " drives, this node has " + std::to_string(drives().size());
    }
    return std::nullopt;
}

std::uint32_t ObjectStore::segment_size_for(const ec::StoragePolicy& policy) const {
    if (policy.kind != ec::StoragePolicy::Kind::erasure) return 0;
    // A whole number of k aligned fragments, so that full segments are not
    // padded (Cauchy aligns fragments to 16 KiB: EC4+2/cauchy segments are
    // multiples of 64 KiB)...
    const auto k = static_cast<std::uint64_t>(policy.k);
    const std::uint64_t unit = k * ec::ReedSolomon::alignment_of(policy.algorithm);
    const std::uint64_t segment = (options_.segment_size + unit - 1) / unit * unit;
    // ...and no larger than a group (about k chunks), which would only pad.
    const std::uint64_t group = options_.chunk_size * k;
    return static_cast<std::uint32_t>(std::min(segment, group / unit * unit));
}

const ec::ReedSolomon& ObjectStore::codec(const ec::StoragePolicy& policy) {
    std::lock_guard lock(codecs_mutex_);
    auto& slot = codecs_[std::make_tuple(policy.k, policy.m, policy.algorithm)];
    if (!slot) slot = std::make_unique<ec::ReedSolomon>(policy.k, policy.m, policy.algorithm);
    return *slot;
}

chunk::ChunkStore* ObjectStore::drive(std::uint64_t id) {
    for (const Drive& d : drives()) {
        if (d.id == id) return d.chunks.get();
    }
    return nullptr;
}

void ObjectStore::remove_chunks(const std::vector<meta::ChunkRef>& refs) {
    for (const meta::ChunkRef& ref : refs) {
        chunk::ChunkStore* store = drive(ref.drive);
        const auto id = chunk::ChunkId::parse(ref.chunk_id);
        if (store == nullptr || !id) continue;
        try {
            store->remove(*id);
        } catch (const std::exception& e) {
            // Left for the orphan collector; the metadata no longer points to it.
            log_.warn("cannot remove chunk", {{"chunk", ref.chunk_id}, {"error", e.what()}});
        }
    }
}

void ObjectStore::retire_chunks(std::vector<meta::ChunkRef> refs) {
    refs = leases_.retire(std::move(refs));  // empty if readers are in the way
    if (!refs.empty()) remove_chunks(refs);
}

asio::awaitable<void> ObjectStore::free_chunks(const std::vector<meta::ObjectVersion>& removed) {
    std::vector<meta::ChunkRef> refs;
    for (const meta::ObjectVersion& v : removed) refs.insert(refs.end(), v.chunks.begin(), v.chunks.end());
    refs = leases_.retire(std::move(refs));  // empty if readers are in the way
    if (refs.empty()) co_return;
    co_await pool_.run([&] { remove_chunks(refs); });
}

asio::awaitable<void> ObjectStore::free_parts(const std::vector<meta::PartRecord>& removed) {
    const std::vector<meta::ChunkRef> refs = chunks_of(removed);
    if (refs.empty()) co_return;
    co_await pool_.run([&] { remove_chunks(refs); });
}

asio::awaitable<meta::ObjectVersion> ObjectStore::put(PutInput input, ByteSource& source) {
    meta::ObjectVersion version;
    version.key = input.key;
    version.seq = next_seq();
    version.storage_class = input.storage_class;
    version.headers = std::move(input.headers);
    version.tags = std::move(input.tags);
    const ec::StoragePolicy policy =
        policy_for(input.storage_class, bucket_policy(input.bucket), input.expected_size);

    chunk::ChunkOwner owner;
    owner.bucket = input.bucket;
    owner.key = input.key;
    owner.version_id = meta::format_version_id(version.seq);
    meta::check_room(meta_.usage(), kUploadHeadroom);  // before the body is read
    const std::uint32_t segment_size = segment_size_for(policy);
    ContentWriter content(*this, owner, policy, segment_size, options_.inline_threshold, input.checksum,
                          input.max_size);

    std::exception_ptr error;
    try {
        co_await content.consume(source);
        const ContentDigests::Result& digests = content.digests();
        if (input.verify) input.verify(digests);
        version.size = digests.size;
        version.etag = hash::hex_encode(digests.md5);
        if (digests.algorithm != ChecksumAlgorithm::none) {
            version.checksum_algorithm = std::string(checksum_name(digests.algorithm));
            version.checksum = digests.checksum;
        }
        version.inline_data = std::move(content.inline_data());
        version.chunks = content.chunks();
        if (!version.chunks.empty()) {
            version.policy = policy.to_string();
            version.segment_size = segment_size;
        }
        version.modified_ms = now_ms();

        std::vector<meta::ObjectVersion> removed;
        co_await async_commit(meta_, [&](meta::Catalog& catalog) {
            const meta::BucketRecord bucket = catalog.bucket_or_refuse(input.bucket);
            if (input.check) input.check(catalog, bucket);
            removed = catalog.put_version(bucket, version);
        });
        content.keep();
        log_.debug("object version committed", {{"bucket", input.bucket}, {"key", input.key},
                                                 {"etag", version.etag}, {"seq", version.seq},
                                                 {"replaced", removed.size()}});
        co_await free_chunks(removed);
    } catch (...) {
        error = std::current_exception();  // cleaned up below: no co_await in a handler
    }
    if (error) {
        co_await content.discard();
        std::rethrow_exception(error);
    }
    co_return version;
}

asio::awaitable<DeleteOutcome> ObjectStore::remove(std::string bucket, std::string key,
                                                   std::optional<std::string> version_id, CommitCheck admit) {
    DeleteOutcome outcome;
    std::vector<meta::ObjectVersion> removed;
    const std::uint64_t seq = next_seq();
    co_await async_commit(meta_, [&](meta::Catalog& catalog) {
        const meta::BucketRecord record = catalog.bucket_or_refuse(bucket);
        if (admit) admit(catalog, record);
        if (version_id) {
            if (!catalog.version(record, key, *version_id)) return;  // S3: deleting a missing version succeeds
            meta::ObjectVersion gone = catalog.delete_version(record, key, *version_id);
            outcome.found = true;
            outcome.delete_marker = gone.delete_marker;
            outcome.version_id = gone.version_id();
            removed.push_back(std::move(gone));
            return;
        }
        if (record.versioning == meta::Versioning::unversioned) {
            if (catalog.version(record, key, "null")) {
                removed.push_back(catalog.delete_version(record, key, "null"));
                outcome.found = true;
            }
            return;
        }
        meta::ObjectVersion marker;
        marker.key = key;
        marker.seq = seq;
        marker.delete_marker = true;
        marker.modified_ms = now_ms();
        auto replaced = catalog.put_version(record, marker);
        removed.insert(removed.end(), replaced.begin(), replaced.end());
        outcome.found = true;
        outcome.delete_marker = true;
        outcome.version_id = marker.version_id();
    });
    co_await free_chunks(removed);
    co_return outcome;
}

asio::awaitable<meta::ObjectVersion> ObjectStore::set_tags(std::string bucket, std::string key,
                                                           std::optional<std::string> version_id,
                                                           std::vector<std::pair<std::string, std::string>> tags,
                                                           CommitCheck admit,
                                                           std::function<void(const meta::ObjectVersion&)> check) {
    meta::ObjectVersion version;
    co_await async_commit(meta_, [&](meta::Catalog& catalog) {
        const meta::BucketRecord record = catalog.bucket_or_refuse(bucket);
        if (admit) admit(catalog, record);
        auto found = version_id ? catalog.version(record, key, *version_id) : catalog.newest(record, key);
        if (!found && version_id) throw meta::Refused(meta::Refusal::no_such_version, "no such version: " + *version_id);
        if (!found) throw meta::Refused(meta::Refusal::no_such_key, "no such key: " + key);
        if (check) check(*found);
        found->tags = tags;
        catalog.rewrite_version(record, *found);
        version = std::move(*found);
    });
    version.inline_data.clear();
    co_return version;
}

asio::awaitable<std::string> ObjectStore::create_upload(const PutInput& input) {
    meta::UploadRecord upload;
    upload.seq = next_seq();
    // Unguessable and unique: the sequence, then 64 random bits.
    std::random_device random;
    const std::uint64_t salt = (static_cast<std::uint64_t>(random()) << 32) | random();
    upload.upload_id = meta::format_version_id(upload.seq) + meta::format_version_id(salt);
    upload.bucket = input.bucket;
    upload.key = input.key;
    upload.initiated_ms = now_ms();
    upload.storage_class = input.storage_class;
    // Refuse a class this node cannot honour now, not at the first part; and
    // fix the policy, so that every part is written (and read) the same way.
    const ec::StoragePolicy policy = policy_for(upload.storage_class, bucket_policy(input.bucket));
    upload.policy = policy.to_string();
    upload.segment_size = segment_size_for(policy);
    upload.headers = input.headers;
    upload.tags = input.tags;
    if (input.checksum != ChecksumAlgorithm::none) upload.checksum_algorithm = std::string(checksum_name(input.checksum));
    co_await async_commit(meta_, [&](meta::Catalog& catalog) {
        const meta::BucketRecord bucket = catalog.bucket_or_refuse(input.bucket);
        if (input.check) input.check(catalog, bucket);
        catalog.create_upload(bucket, upload);
    });
    co_return upload.upload_id;
}

asio::awaitable<meta::PartRecord> ObjectStore::put_part(std::string bucket, std::string key, std::string upload_id,
                                                        std::uint32_t number, ChecksumAlgorithm checksum,
                                                        std::function<void(const ContentDigests::Result&)> verify,
                                                        ByteSource& source, CommitCheck admit) {
    ec::StoragePolicy policy;
    std::uint32_t segment_size = 0;
    {
        const meta::Snapshot snapshot = meta_.snapshot();
        // Fail before reading the body.
        const meta::UploadRecord upload = snapshot.catalog().upload_or_refuse(bucket, key, upload_id);
        const auto fixed = ec::StoragePolicy::parse(upload.policy);
        if (fixed) {
            policy = *fixed;
            segment_size = upload.segment_size;
            if (const auto why = cannot_write(policy)) throw InvalidPolicy(*why);
        } else {
            // An upload started before policies were fixed per upload.
            policy = policy_for(upload.storage_class, bucket_policy(bucket));
            segment_size = segment_size_for(policy);
        }
        meta::check_room(meta_.usage(), kUploadHeadroom);
    }
    chunk::ChunkOwner owner;
    owner.bucket = bucket;
    owner.key = key;
    owner.version_id = upload_id;
    owner.part_number = number;
    ContentWriter content(*this, owner, policy, segment_size, 0, checksum, std::uint64_t{5} << 30);

    meta::PartRecord part;
    part.number = number;
    std::exception_ptr error;
    try {
        co_await content.consume(source);
        if (verify) verify(content.digests());
        part.size = content.digests().size;
        part.etag = hash::hex_encode(content.digests().md5);
        part.checksum = content.digests().checksum;
        part.chunks = content.chunks();
        part.policy = policy.to_string();
        part.segment_size = segment_size;
        part.modified_ms = now_ms();
        std::optional<meta::PartRecord> replaced;
        co_await async_commit(meta_, [&](meta::Catalog& catalog) {
            const meta::BucketRecord record = catalog.bucket_or_refuse(bucket);
            if (admit) admit(catalog, record);
            catalog.upload_or_refuse(record, key, upload_id);  // it may have been aborted meanwhile
            replaced = catalog.put_part(upload_id, part);
        });
        content.keep();
        if (replaced) {
            const std::vector<meta::PartRecord> old{std::move(*replaced)};  // (no braced list in co_await: GCC 12)
            co_await free_parts(old);
        }
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        co_await content.discard();
        std::rethrow_exception(error);
    }
    co_return part;
}

asio::awaitable<meta::ObjectVersion> ObjectStore::complete_upload(std::string bucket, std::string key,
                                                                  std::string upload_id,
                                                                  std::vector<CompletedPart> parts,
                                                                  CompletionCheck check) {
    meta::ObjectVersion version;
    std::vector<meta::PartRecord> unused;
    std::vector<meta::ObjectVersion> removed;
    const std::uint64_t seq = next_seq();
    co_await async_commit(meta_, [&](meta::Catalog& catalog) {
        const meta::BucketRecord record = catalog.bucket_or_refuse(bucket);
        const meta::UploadRecord upload = catalog.upload_or_refuse(record, key, upload_id);
        std::vector<meta::PartRecord> listed;
        for (const CompletedPart& wanted : parts) {
            auto found = catalog.part(upload_id, wanted.number);
            if (found) {
                listed.push_back(std::move(*found));
            } else {
                listed.push_back(meta::PartRecord{});  // number 0: missing, for `check` to refuse
                listed.back().number = 0;
            }
        }
        check(catalog, record, listed);

        // The object: the parts' chunks end to end; the S3 multipart ETag is
        // the MD5 of the parts' binary MD5s, then "-" and the part count.
        hash::Md5 etags;
        version.key = key;
        version.seq = seq;
        version.upload_id = upload_id;
        version.storage_class = upload.storage_class;
        version.headers = upload.headers;
        version.tags = upload.tags;
        for (const meta::PartRecord& part : listed) {
            const auto md5 = hash::hex_decode(part.etag);
            if (md5) etags.update(std::span<const std::uint8_t>(md5->data(), md5->size()));
            for (meta::ChunkRef ref : part.chunks) {
                ref.offset += version.size;
                version.chunks.push_back(std::move(ref));
            }
            // The parts' policy: the upload's, fixed when it started, so the
            // same for all (uploads from before that wrote copies, which read
            // the same whatever their number).
            if (version.policy.empty()) {
                version.policy = part.policy;
                version.segment_size = part.segment_size;
            }
            version.parts.push_back(meta::PartInfo{part.number, part.size, part.etag});
            version.size += part.size;
        }
        const auto digest = etags.finish();
        version.etag = hash::hex_encode(std::span<const std::uint8_t>(digest.data(), digest.size())) + "-" +
                       std::to_string(listed.size());
        version.modified_ms = now_ms();

        // Parts uploaded but not listed are dropped with the upload.
        std::vector<meta::PartRecord> all = catalog.remove_upload(record, upload);
        for (meta::PartRecord& p : all) {
            const bool used = std::any_of(listed.begin(), listed.end(),
                                          [&](const meta::PartRecord& l) { return l.number == p.number; });
            if (!used) unused.push_back(std::move(p));
        }
        removed = catalog.put_version(record, version);
    });
    co_await free_parts(unused);
    co_await free_chunks(removed);
    co_return version;
}

asio::awaitable<void> ObjectStore::abort_upload(std::string bucket, std::string key, std::string upload_id,
                                                CommitCheck admit) {
    std::vector<meta::PartRecord> parts;
    co_await async_commit(meta_, [&](meta::Catalog& catalog) {
        const meta::BucketRecord record = catalog.bucket_or_refuse(bucket);
        if (admit) admit(catalog, record);
        const meta::UploadRecord upload = catalog.upload_or_refuse(record, key, upload_id);
        parts = catalog.remove_upload(record, upload);
    });
    co_await free_parts(parts);
}

std::unique_ptr<ObjectStore::Reader> ObjectStore::open(const meta::ObjectVersion& version, std::string bucket) {
    return std::make_unique<Reader>(*this, version, std::move(bucket));
}

ObjectStore::Reader::Reader(ObjectStore& store, const meta::ObjectVersion& version, std::string bucket)
    : store_(store), version_(version), bucket_(std::move(bucket)) {
    if (!version.policy.empty()) {
        const auto policy = ec::StoragePolicy::parse(version.policy);
        if (!policy || (policy->kind == ec::StoragePolicy::Kind::erasure && version.segment_size == 0)) {
            throw StorageUnavailable("object " + version.key + " was written under storage policy " + version.policy +
                                     ", which this version of shoald cannot read");
        }
        policy_ = *policy;
    }
}

ObjectStore::Reader::~Reader() {
    note_group_damage();
    if (bad_chunks_.empty()) return;
    store_.report_damage(DamageReport{bucket_, version_.key, version_.version_id(), std::move(bad_chunks_)});
}

void ObjectStore::Reader::note_damage(const std::string& chunk_id) {
    if (std::find(bad_chunks_.begin(), bad_chunks_.end(), chunk_id) == bad_chunks_.end()) {
        bad_chunks_.push_back(chunk_id);
    }
}

void ObjectStore::Reader::note_group_damage() {
    if (!group_) return;
    for (const std::string& id : group_->bad_chunks()) note_damage(id);
}

asio::awaitable<std::size_t> ObjectStore::Reader::read(std::uint64_t offset, std::span<char> out) {
    if (offset >= version_.size || out.empty()) co_return 0;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), version_.size - offset));
    if (version_.chunks.empty()) {
        std::memcpy(out.data(), version_.inline_data.data() + offset, want);
        co_return want;
    }
    // The pieces of the chunk holding `offset`: [first, last), adjacent and
    // sharing an offset (the list is in content order).
    const auto& chunks = version_.chunks;
    const auto by_offset = [](const meta::ChunkRef& c, std::uint64_t o) { return c.offset < o; };
    const auto last = std::upper_bound(chunks.begin(), chunks.end(), offset,
                                       [](std::uint64_t o, const meta::ChunkRef& c) { return o < c.offset; });
    const auto first = std::lower_bound(chunks.begin(), last, std::prev(last)->offset, by_offset);
    const auto first_index = static_cast<std::size_t>(first - chunks.begin());
    const auto last_index = static_cast<std::size_t>(last - chunks.begin());
    const std::uint64_t in_chunk = offset - first->offset;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, first->length - in_chunk));
    if (policy_.kind == ec::StoragePolicy::Kind::erasure) {
        co_return co_await read_erasure(first_index, last_index, in_chunk, n, out.data());
    }
    const bool open_here = open_index_ >= first_index && open_index_ < last_index;
    // Bytes already in the page cache are read right here: a hop to the
    // blocking pool and back costs two context switches, more than copying
    // and checking a few hundred KiB. Only what needs the disk (or another
    // copy) goes there.
    if (open_here) {
        try {
            if (open_reader_->read_if_cached(in_chunk, n, out.data())) co_return n;
        } catch (const chunk::ChunkError&) {
            // Damaged: the pool's read below reports it and tries the other copies.
        }
    }
    co_await store_.pool().run([&] {
        // The open copy first, then the others in order.
        const std::size_t copies = last_index - first_index;
        const std::size_t start = open_here ? open_index_ - first_index : 0;
        std::exception_ptr first_error;
        std::string others;  // what the other copies failed with
        for (std::size_t k = 0; k < copies; ++k) {
            const std::size_t index = first_index + (start + k) % copies;
            try {
                read_copy(index, in_chunk, n, out.data());
                return;
            } catch (const std::exception& e) {
                open_reader_.reset();
                open_index_ = SIZE_MAX;
                if (!first_error) {
                    first_error = std::current_exception();
                } else {
                    others += std::string(others.empty() ? "" : "; ") + e.what();
                }
                if (copies > 1) {
                    note_damage(chunks[index].chunk_id);
                    store_.log_.warn("chunk copy unreadable, reading another",
                                     {{"key", version_.key}, {"chunk", chunks[index].chunk_id},
                                      {"drive", meta::format_version_id(chunks[index].drive)}, {"error", e.what()}});
                }
            }
        }
        // No copy could be read: the first copy's error (its kind decides the
        // answer), naming the object and what the other copies said.
        try {
            std::rethrow_exception(first_error);
        } catch (const chunk::ChunkError& e) {
            if (copies == 1 && !e.object().empty()) throw;
            throw chunk::ChunkError(e.code(), e.drive(), e.file(), e.object().empty() ? version_.key : e.object(),
                                    others.empty() ? e.reason() : e.reason() + "; the other copies: " + others);
        }
    });
    co_return n;
}

asio::awaitable<std::size_t> ObjectStore::Reader::read_erasure(std::size_t first_index, std::size_t last_index,
                                                               std::uint64_t in_group, std::size_t length,
                                                               char* out) {
    if (group_index_ != first_index) {
        note_group_damage();
        group_.reset();
        group_index_ = SIZE_MAX;
        const std::span<const meta::ChunkRef> pieces(version_.chunks.data() + first_index, last_index - first_index);
        group_ = std::make_unique<ErasureGroupReader>(store_, version_.key, pieces, store_.codec(policy_),
                                                      version_.segment_size);
        group_index_ = first_index;
    }
    // As for copies: what is in the page cache is served from here.
    if (const std::size_t n = group_->read_if_cached(in_group, length, out); n > 0) co_return n;
    std::size_t n = 0;
    co_await store_.pool().run([&] { n = group_->read(in_group, length, out); });
    co_return n;
}

void ObjectStore::Reader::read_copy(std::size_t index, std::uint64_t in_chunk, std::size_t length, char* out) {
    if (open_index_ != index) {
        open_reader_.reset();
        open_index_ = SIZE_MAX;
        const meta::ChunkRef& ref = version_.chunks[index];
        chunk::ChunkStore* store = store_.drive(ref.drive);
        const auto id = chunk::ChunkId::parse(ref.chunk_id);
        if (store == nullptr || !id) {
            throw StorageUnavailable("object " + version_.key + ": chunk " + ref.chunk_id + " is on drive " +
                                     meta::format_version_id(ref.drive) + ", which this node does not have");
        }
        open_reader_.emplace(store->open(*id));
        open_index_ = index;
    }
    open_reader_->read(in_chunk, length, out);
}

}  // namespace shoal::engine
