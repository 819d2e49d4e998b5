#include "core/meta/catalog.hpp"

#include <algorithm>

#include "core/meta/capacity.hpp"

namespace shoal::meta {
namespace {

constexpr std::string_view kNextId = "next_id";
constexpr std::string_view kLastSeq = "last_seq";

// Versions sort newest first: the suffix is the complement of the sequence.
std::string seq_suffix(std::uint64_t seq) { return encode_u64(~seq); }
std::uint64_t seq_of_suffix(std::string_view suffix) { return ~decode_u64(suffix); }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

Catalog::Catalog(Txn& txn, const Tables& tables)
    : txn_(txn), tables_(tables), keys_(tables.namespaces, &Catalog::allocate_id, this) {}

std::uint64_t Catalog::allocate_id(Txn& /*txn*/, void* self) { return static_cast<Catalog*>(self)->bump(kNextId); }

std::uint64_t Catalog::bump(std::string_view counter) {
    std::uint64_t value = 1;
    if (auto found = txn_.get(tables_.system, counter)) value = decode_u64(*found) + 1;
    txn_.put(tables_.system, counter, encode_u64(value));
    return value;
}

std::uint64_t Catalog::next_seq(std::uint64_t now_us) {
    std::uint64_t last = 0;
    if (auto found = txn_.get(tables_.system, kLastSeq)) last = decode_u64(*found);
    const std::uint64_t seq = std::max(last + 1, now_us * 256);
    txn_.put(tables_.system, kLastSeq, encode_u64(seq));
    return seq;
}

std::uint64_t Catalog::last_seq() const {
    const auto found = txn_.get(tables_.system, kLastSeq);
    return found ? decode_u64(*found) : 0;
}

std::optional<BucketRecord> Catalog::bucket(std::string_view name) const {
    const auto found = txn_.get(tables_.buckets, name);
    if (!found) return std::nullopt;
    return decode_bucket(*found);
}

BucketRecord Catalog::bucket_or_refuse(std::string_view name) const {
    auto found = bucket(name);
    if (!found) throw Refused(Refusal::no_such_bucket, "no such bucket: " + std::string(name));
    return std::move(*found);
}

std::vector<BucketRecord> Catalog::buckets() const {
    std::vector<BucketRecord> all;
    Cursor cursor(txn_, tables_.buckets);
    for (bool ok = cursor.first(); ok; ok = cursor.next()) all.push_back(decode_bucket(cursor.value()));
    return all;
}

BucketRecord Catalog::create_bucket(std::string_view name, std::uint64_t now_ms) {
    if (bucket(name)) throw Refused(Refusal::bucket_exists, "bucket exists: " + std::string(name));
    BucketRecord record;
    record.name = std::string(name);
    record.id = bump(kNextId);
    record.created_ms = now_ms;
    txn_.put(tables_.buckets, name, encode(record));
    check_room(txn_);
    return record;
}

bool Catalog::bucket_has_versions(const BucketRecord& bucket) const {
    SegmentedIterator it(txn_, tables_.versions, bucket.id);
    return it.seek("");
}

void Catalog::delete_bucket(std::string_view name) {
    const BucketRecord record = bucket_or_refuse(name);
    SegmentedIterator uploads(txn_, tables_.upload_keys, record.id);
    if (bucket_has_versions(record) || uploads.seek("")) {
        throw Refused(Refusal::bucket_not_empty, "bucket not empty: " + std::string(name));
    }
    txn_.del(tables_.buckets, name);
}

void Catalog::set_versioning(std::string_view name, Versioning state) {
    BucketRecord record = bucket_or_refuse(name);
    // Once enabled, versioning can be suspended but never turned off (S3 rule).
    if (state == Versioning::unversioned && record.versioning != Versioning::unversioned) {
        state = Versioning::suspended;
    }
    record.versioning = state;
    txn_.put(tables_.buckets, name, encode(record));
}

void Catalog::set_bucket_policy(std::string_view name, const std::string& policy) {
    BucketRecord record = bucket_or_refuse(name);
    record.policy = policy;
    txn_.put(tables_.buckets, name, encode(record));
}

void Catalog::set_public_read(std::string_view name, bool public_read) {
    BucketRecord record = bucket_or_refuse(name);
    record.public_read = public_read;
    txn_.put(tables_.buckets, name, encode(record));
}

std::optional<KeyRecord> Catalog::key(std::string_view access_key) const {
    const auto found = txn_.get(tables_.keys, access_key);
    if (!found) return std::nullopt;
    return decode_key(*found);
}

std::vector<KeyRecord> Catalog::keys() const {
    std::vector<KeyRecord> all;
    Cursor cursor(txn_, tables_.keys);
    for (bool ok = cursor.first(); ok; ok = cursor.next()) all.push_back(decode_key(cursor.value()));
    return all;
}

void Catalog::put_key(const KeyRecord& record) {
    txn_.put(tables_.keys, record.access_key, encode(record));
    check_room(txn_);
}

bool Catalog::delete_key(std::string_view access_key) { return txn_.del(tables_.keys, access_key); }

std::optional<ObjectVersion> Catalog::newest(const BucketRecord& bucket, std::string_view key) const {
    SegmentedIterator it(txn_, tables_.versions, bucket.id);
    if (!it.seek(key) || it.key() != key) return std::nullopt;
    return decode_version(it.value());
}

std::optional<ObjectVersion> Catalog::version(const BucketRecord& bucket, std::string_view key,
                                              std::string_view version_id) const {
    if (version_id == "null") {
        SegmentedIterator it(txn_, tables_.versions, bucket.id);
        for (bool ok = it.seek(key); ok && it.key() == key; ok = it.next()) {
            ObjectVersion v = decode_version(it.value());
            if (v.null_version) return v;
        }
        return std::nullopt;
    }
    std::uint64_t seq = 0;
    if (!parse_version_id(version_id, seq)) return std::nullopt;
    const auto lmdb_key = keys_.key_for_read(txn_, bucket.id, key, seq_suffix(seq));
    if (!lmdb_key) return std::nullopt;
    const auto found = txn_.get(tables_.versions, *lmdb_key);
    if (!found) return std::nullopt;
    ObjectVersion v = decode_version(*found);
    if (v.null_version) return std::nullopt;  // addressed only as "null"
    return v;
}

void Catalog::refresh_current(const BucketRecord& bucket, std::string_view key) {
    const std::optional<ObjectVersion> top = newest(bucket, key);
    if (top && !top->delete_marker) {
        const std::string lmdb_key = keys_.key_for_write(txn_, tables_.current, bucket.id, key, {});
        txn_.put(tables_.current, lmdb_key, encode(summary_of(*top)));
        return;
    }
    if (const auto lmdb_key = keys_.key_for_read(txn_, bucket.id, key, {})) {
        if (txn_.del(tables_.current, *lmdb_key)) keys_.prune(txn_, tables_.current, bucket.id, key);
    }
}

std::vector<ObjectVersion> Catalog::put_version(const BucketRecord& bucket, ObjectVersion& v) {
    std::vector<ObjectVersion> removed;
    v.null_version = bucket.versioning != Versioning::enabled;
    if (v.null_version) {
        // There is at most one null version per key: it is replaced.
        if (auto old = version(bucket, v.key, "null")) {
            const auto old_key = keys_.key_for_read(txn_, bucket.id, v.key, seq_suffix(old->seq));
            txn_.del(tables_.versions, *old_key);
            removed.push_back(std::move(*old));
        }
    }
    if (v.seq > last_seq()) txn_.put(tables_.system, kLastSeq, encode_u64(v.seq));
    const std::string lmdb_key = keys_.key_for_write(txn_, tables_.versions, bucket.id, v.key, seq_suffix(v.seq));
    const std::string key = v.key;
    txn_.put(tables_.versions, lmdb_key, encode(v));
    refresh_current(bucket, key);
    check_room(txn_);  // delete markers too: they are records like any other
    return removed;
}

ObjectVersion Catalog::delete_version(const BucketRecord& bucket, std::string_view key, std::string_view version_id) {
    std::optional<ObjectVersion> v = version(bucket, key, version_id);
    if (!v) throw Refused(Refusal::no_such_version, "no such version: " + std::string(version_id));
    const auto lmdb_key = keys_.key_for_read(txn_, bucket.id, key, seq_suffix(v->seq));
    txn_.del(tables_.versions, *lmdb_key);
    keys_.prune(txn_, tables_.versions, bucket.id, key);
    refresh_current(bucket, key);
    return std::move(*v);
}

void Catalog::rewrite_version(const BucketRecord& bucket, const ObjectVersion& v) {
    const auto lmdb_key = keys_.key_for_read(txn_, bucket.id, v.key, seq_suffix(v.seq));
    if (!lmdb_key || !txn_.get(tables_.versions, *lmdb_key)) {
        throw Refused(Refusal::no_such_version, "no such version: " + v.version_id());
    }
    txn_.put(tables_.versions, *lmdb_key, encode(v));
    refresh_current(bucket, v.key);  // listing summaries hold no tags today; kept exact regardless
    check_room(txn_);                // more tags can grow the record
}

namespace {

// The CommonPrefixes entry `key` rolls up into under `delimiter`, if any: the
// key up to and including the first delimiter after `prefix`.
std::optional<std::string> rolled_up_prefix(const std::string& key, const std::string& prefix,
                                            const std::string& delimiter) {
    if (delimiter.empty()) return std::nullopt;
    const std::size_t pos = key.find(delimiter, prefix.size());
    if (pos == std::string::npos) return std::nullopt;
    return key.substr(0, pos + delimiter.size());
}

// Moves past every key starting with `common`; false at the end.
bool skip_rolled_up(SegmentedIterator& it, const std::string& common) {
    const auto after = prefix_successor(common);
    return after ? it.seek(*after) : false;
}

std::string part_key(std::string_view upload_id, std::uint32_t number) {
    std::string key(upload_id);
    for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>((number >> shift) & 0xff));
    return key;
}

std::string upload_suffix(const UploadRecord& upload) { return encode_u64(upload.seq) + upload.upload_id; }

}  // namespace

void Catalog::create_upload(const BucketRecord& bucket, const UploadRecord& upload) {
    txn_.put(tables_.uploads, upload.upload_id, encode(upload));
    const std::string index_key =
        keys_.key_for_write(txn_, tables_.upload_keys, bucket.id, upload.key, upload_suffix(upload));
    txn_.put(tables_.upload_keys, index_key, {});
    check_room(txn_);
}

std::optional<UploadRecord> Catalog::upload(std::string_view upload_id) const {
    if (upload_id.empty()) return std::nullopt;
    const auto found = txn_.get(tables_.uploads, upload_id);
    if (!found) return std::nullopt;
    return decode_upload(*found);
}

UploadRecord Catalog::upload_or_refuse(std::string_view bucket, std::string_view key,
                                       std::string_view upload_id) const {
    auto found = upload(upload_id);
    if (!found || found->bucket != bucket || found->key != key) {
        throw Refused(Refusal::no_such_upload, "no such upload: " + std::string(upload_id));
    }
    return std::move(*found);
}

UploadRecord Catalog::upload_or_refuse(const BucketRecord& bucket, std::string_view key,
                                       std::string_view upload_id) const {
    UploadRecord found = upload_or_refuse(bucket.name, key, upload_id);
    // Its index entry lives under the id of the bucket it was created in.
    const auto index_key = keys_.key_for_read(txn_, bucket.id, key, upload_suffix(found));
    if (!index_key || !txn_.get(tables_.upload_keys, *index_key)) {
        throw Refused(Refusal::no_such_upload, "no such upload in this bucket: " + std::string(upload_id));
    }
    return found;
}

std::optional<ObjectVersion> Catalog::version_from_upload(const BucketRecord& bucket, std::string_view key,
                                                          std::string_view upload_id, std::size_t limit) const {
    // Upload ids begin with the sequence of the upload's start; the version
    // it became is newer.
    std::uint64_t started = 0;
    if (upload_id.size() < 16 || !parse_version_id(upload_id.substr(0, 16), started)) return std::nullopt;
    SegmentedIterator it(txn_, tables_.versions, bucket.id);
    std::size_t seen = 0;
    for (bool ok = it.seek(key); ok && it.key() == key && seen < limit; ok = it.next(), ++seen) {
        if (seq_of_suffix(it.suffix()) <= started) break;  // newest first: the rest are older still
        ObjectVersion v = decode_version(it.value());
        if (v.upload_id == upload_id) return v;
    }
    return std::nullopt;
}

std::optional<PartRecord> Catalog::put_part(std::string_view upload_id, const PartRecord& part) {
    const std::string key = part_key(upload_id, part.number);
    std::optional<PartRecord> replaced;
    if (const auto found = txn_.get(tables_.parts, key)) replaced = decode_part(*found);
    txn_.put(tables_.parts, key, encode(part));
    check_room(txn_);
    return replaced;
}

std::optional<PartRecord> Catalog::part(std::string_view upload_id, std::uint32_t number) const {
    const auto found = txn_.get(tables_.parts, part_key(upload_id, number));
    if (!found) return std::nullopt;
    return decode_part(*found);
}

PartsPage Catalog::parts(std::string_view upload_id, std::uint32_t after, std::size_t max_parts) const {
    PartsPage page;
    Cursor cursor(txn_, tables_.parts);
    for (bool ok = cursor.seek(part_key(upload_id, after + 1)); ok && starts_with(cursor.key(), upload_id) &&
                                                                 cursor.key().size() == upload_id.size() + 4;
         ok = cursor.next()) {
        if (page.parts.size() == max_parts) {
            page.truncated = true;
            break;
        }
        page.parts.push_back(decode_part(cursor.value()));
        page.next_marker = page.parts.back().number;
    }
    return page;
}

std::vector<PartRecord> Catalog::remove_upload(const BucketRecord& bucket, const UploadRecord& upload) {
    std::vector<PartRecord> removed;
    Cursor cursor(txn_, tables_.parts);
    bool ok = cursor.seek(part_key(upload.upload_id, 0));
    while (ok && starts_with(cursor.key(), upload.upload_id) && cursor.key().size() == upload.upload_id.size() + 4) {
        removed.push_back(decode_part(cursor.value()));
        cursor.del();
        ok = cursor.seek(part_key(upload.upload_id, 0));
    }
    txn_.del(tables_.uploads, upload.upload_id);
    if (const auto index_key = keys_.key_for_read(txn_, bucket.id, upload.key, upload_suffix(upload))) {
        txn_.del(tables_.upload_keys, *index_key);
        keys_.prune(txn_, tables_.upload_keys, bucket.id, upload.key);
    }
    return removed;
}

UploadsPage Catalog::list_uploads(const BucketRecord& bucket, const UploadsQuery& query) const {
    UploadsPage page;
    if (query.max_uploads == 0) return page;
    SegmentedIterator it(txn_, tables_.upload_keys, bucket.id);
    bool ok;
    if (query.key_marker.empty() || query.key_marker < query.prefix) {
        ok = it.seek(query.prefix);
    } else {
        ok = it.seek(query.key_marker);
        if (query.upload_id_marker.empty()) {
            while (ok && it.key() == query.key_marker) ok = it.next();
        } else {
            // Uploads of the marker key after the marker upload.
            const auto marker = upload(query.upload_id_marker);
            if (marker) ok = it.seek(query.key_marker, upload_suffix(*marker) + std::string(1, '\0'));
        }
    }
    std::size_t count = 0;
    while (ok && starts_with(it.key(), query.prefix)) {
        const std::string key = it.key();
        if (const auto rolled_up = rolled_up_prefix(key, query.prefix, query.delimiter)) {
            const std::string& common = *rolled_up;
            if (!starts_with(query.key_marker, common)) {
                if (count == query.max_uploads) {
                    page.truncated = true;
                    break;
                }
                page.common_prefixes.push_back(common);
                page.next_key_marker = common;
                page.next_upload_id_marker.clear();
                ++count;
            }
            ok = skip_rolled_up(it, common);
            continue;
        }
        if (count == query.max_uploads) {
            page.truncated = true;
            break;
        }
        const std::string_view suffix = it.suffix();
        if (suffix.size() > 8) {
            if (auto record = upload(suffix.substr(8))) {
                page.next_key_marker = key;
                page.next_upload_id_marker = record->upload_id;
                page.uploads.push_back(std::move(*record));
                ++count;
            }
        }
        ok = it.next();
    }
    return page;
}

ListPage Catalog::list(const BucketRecord& bucket, const ListQuery& query) const {
    ListPage page;
    if (query.max_keys == 0) return page;
    SegmentedIterator it(txn_, tables_.current, bucket.id);
    const std::string& start = std::max(query.prefix, query.start_after);
    bool ok = it.seek(start);
    if (ok && it.key() == query.start_after) ok = it.next();
    while (ok && starts_with(it.key(), query.prefix)) {
        const std::string& key = it.key();
        if (const auto rolled_up = rolled_up_prefix(key, query.prefix, query.delimiter)) {
            const std::string& common = *rolled_up;
            // A common prefix the marker lies in was returned on an earlier page.
            if (!starts_with(query.start_after, common)) {
                if (page.objects.size() + page.common_prefixes.size() == query.max_keys) {
                    page.truncated = true;
                    break;
                }
                page.common_prefixes.push_back(common);
                page.last = common;
            }
            ok = skip_rolled_up(it, common);
            continue;
        }
        if (page.objects.size() + page.common_prefixes.size() == query.max_keys) {
            page.truncated = true;
            break;
        }
        page.objects.push_back(ListedObject{key, decode_summary(it.value())});
        page.last = key;
        ok = it.next();
    }
    return page;
}

VersionsPage Catalog::list_versions(const BucketRecord& bucket, const VersionsQuery& query) const {
    VersionsPage page;
    if (query.max_keys == 0) return page;
    SegmentedIterator it(txn_, tables_.versions, bucket.id);
    bool ok;
    std::string previous_key;  // key of the previous entry seen, to tell the newest version
    bool have_previous = false;
    if (query.key_marker.empty() || query.key_marker < query.prefix) {
        ok = it.seek(query.prefix);
    } else if (!query.version_id_marker.empty()) {
        std::uint64_t seq = 0;
        if (query.version_id_marker == "null") {
            const auto null_version = version(bucket, query.key_marker, "null");
            seq = null_version ? null_version->seq : 0;
        } else if (!parse_version_id(query.version_id_marker, seq)) {
            seq = 0;
        }
        // Strictly after the marker version; the versions that follow are not the newest.
        ok = it.seek(query.key_marker, encode_u64(~seq));
        if (ok && it.key() == query.key_marker && seq_of_suffix(it.suffix()) == seq) ok = it.next();
        previous_key = query.key_marker;
        have_previous = true;
    } else {
        // Start after every version of key_marker.
        ok = it.seek(query.key_marker);
        while (ok && it.key() == query.key_marker) ok = it.next();
    }
    std::size_t count = 0;
    while (ok && starts_with(it.key(), query.prefix)) {
        const std::string key = it.key();
        if (const auto rolled_up = rolled_up_prefix(key, query.prefix, query.delimiter)) {
            const std::string& common = *rolled_up;
            if (!starts_with(query.key_marker, common)) {
                if (count == query.max_keys) {
                    page.truncated = true;
                    break;
                }
                page.common_prefixes.push_back(common);
                page.next_key_marker = common;
                page.next_version_id_marker.clear();
                ++count;
            }
            ok = skip_rolled_up(it, common);
            have_previous = false;
            continue;
        }
        if (count == query.max_keys) {
            page.truncated = true;
            break;
        }
        ListedVersion listed;
        listed.version = decode_version(it.value());
        listed.version.inline_data.clear();
        listed.latest = !(have_previous && previous_key == key);
        page.next_key_marker = key;
        page.next_version_id_marker = listed.version.version_id();
        page.versions.push_back(std::move(listed));
        ++count;
        previous_key = key;
        have_previous = true;
        ok = it.next();
    }
    return page;
}

}  // namespace shoal::meta
