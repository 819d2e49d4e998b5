#include "core/meta/records.hpp"

#include <cstdio>

#include "core/meta/codec.hpp"
#include "core/meta/segmented_keys.hpp"

namespace shoal::meta {
namespace {

constexpr std::uint64_t kBucketFormat = 3;  // 2: the bucket's storage policy; 3: public_read
constexpr std::uint64_t kKeyFormat = 1;
// Format 2 (object versions and parts): chunk refs carry a piece number and
// the record its storage policy. Format 3 adds the erasure-coding segment
// size. Older formats still decode (piece 0, no policy: SINGLE; segment 0).
// Version format 4 adds the upload id of a completed multipart upload.
// Upload format 2 adds the policy and segment size the upload was started
// under.
constexpr std::uint64_t kVersionFormat = 4;
constexpr std::uint64_t kSummaryFormat = 1;
constexpr std::uint64_t kUploadFormat = 2;
constexpr std::uint64_t kPartFormat = 3;
constexpr std::uint64_t kRepairFormat = 1;

// Bounds of the records' fields (see records.hpp).
constexpr std::size_t kMaxNameBytes = 255;  // bucket names, upload ids, access key ids
constexpr std::uint32_t kMaxPartNumber = 10000;
constexpr std::uint32_t kMaxPiece = 255;
constexpr std::size_t kChunkIdDigits = 32;
// The fewest bytes an item of each list takes encoded (Decoder::count).
constexpr std::size_t kPairBytes = 2;       // two empty strings
constexpr std::size_t kChunkRefBytes = 36;  // format 1: a 32-digit id and its length, drive, offset, length
constexpr std::size_t kPartInfoBytes = 3;   // number, size, empty etag
constexpr std::size_t kGrantBytes = 2;      // bucket id, permissions

// Returns the record's format, `oldest` to `newest`.
std::uint64_t check_formats(Decoder& d, std::uint64_t oldest, std::uint64_t newest) {
    const std::uint64_t format = d.u64();
    if (format < oldest || format > newest) d.corrupt("unknown format " + std::to_string(format));
    return format;
}

// Each check returns what breaks the invariant, or "" (see records.hpp).
using Problem = std::string;

// Throws for a record that breaks its invariants: CorruptRecord when it was
// read, MetaError when it was about to be written.
void refuse_to_write(const Problem& problem, const char* what) {
    if (!problem.empty()) {
        throw MetaError("metadata store: refusing to write an inconsistent " + std::string(what) + " record: " +
                        problem);
    }
}

bool is_chunk_id(std::string_view id) {
    return id.size() == kChunkIdDigits && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Problem chunk_list_problem(const std::vector<ChunkRef>& chunks, std::uint64_t size) {
    std::uint64_t end = 0;  // where the next chunk must start
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const ChunkRef& c = chunks[i];
        const std::string which = "chunk ref " + std::to_string(i);
        if (!is_chunk_id(c.chunk_id)) return which + ": an id that is not 32 lower-case hex digits";
        if (c.piece > kMaxPiece) return which + ": piece " + std::to_string(c.piece);
        if (i > 0 && c.offset == chunks[i - 1].offset) {  // another piece of the same chunk
            if (c.length != chunks[i - 1].length) {
                return which + ": pieces of the chunk at " + std::to_string(c.offset) + " differ in length";
            }
            continue;
        }
        if (c.offset != end) {
            return which + ": a chunk at " + std::to_string(c.offset) + " where the content continues at " +
                   std::to_string(end);
        }
        if (c.length == 0) return which + ": an empty chunk";
        if (c.length > UINT64_MAX - c.offset) return which + ": a chunk ending past 2^64";
        end = c.offset + c.length;
    }
    if (end != size) return "the chunks cover " + std::to_string(end) + " bytes, the size says " + std::to_string(size);
    return {};
}

Problem version_problem(const ObjectVersion& v) {
    if (v.key.empty() || v.key.size() > kMaxObjectKeyBytes) {
        return "a key of " + std::to_string(v.key.size()) + " bytes";
    }
    if (v.upload_id.size() > kMaxNameBytes) return "an upload id of " + std::to_string(v.upload_id.size()) + " bytes";
    if (v.delete_marker) {
        if (v.size != 0 || !v.inline_data.empty() || !v.chunks.empty() || !v.parts.empty()) {
            return "a delete marker with content";
        }
        return {};
    }
    if (v.chunks.empty()) {
        if (v.inline_data.size() != v.size) {
            return "inline data of " + std::to_string(v.inline_data.size()) + " bytes, the size says " +
                   std::to_string(v.size);
        }
    } else {
        if (!v.inline_data.empty()) return "both inline data and chunks";
        if (Problem p = chunk_list_problem(v.chunks, v.size); !p.empty()) return p;
    }
    if (!v.parts.empty()) {
        std::uint64_t total = 0;
        std::uint32_t previous = 0;
        for (const PartInfo& part : v.parts) {
            if (part.number <= previous || part.number > kMaxPartNumber) {
                return "part " + std::to_string(part.number) + " after part " + std::to_string(previous);
            }
            previous = part.number;
            if (part.size > UINT64_MAX - total) return "parts adding up past 2^64 bytes";
            total += part.size;
        }
        if (total != v.size) {
            return "parts adding up to " + std::to_string(total) + " bytes, the size says " + std::to_string(v.size);
        }
    }
    return {};
}

Problem part_problem(const PartRecord& p) {
    if (p.number < 1 || p.number > kMaxPartNumber) return "part number " + std::to_string(p.number);
    return chunk_list_problem(p.chunks, p.size);
}

Problem upload_problem(const UploadRecord& u) {
    if (u.upload_id.empty() || u.upload_id.size() > kMaxNameBytes) {
        return "an upload id of " + std::to_string(u.upload_id.size()) + " bytes";
    }
    if (u.bucket.size() > kMaxNameBytes) return "a bucket name of " + std::to_string(u.bucket.size()) + " bytes";
    if (u.key.size() > kMaxObjectKeyBytes) return "a key of " + std::to_string(u.key.size()) + " bytes";
    return {};
}

Problem bucket_problem(const BucketRecord& b) {
    if (b.name.empty() || b.name.size() > kMaxNameBytes) return "a name of " + std::to_string(b.name.size()) + " bytes";
    if (static_cast<std::uint64_t>(b.versioning) > 2) return "versioning state " + std::to_string(static_cast<int>(b.versioning));
    return {};
}

Problem key_problem(const KeyRecord& k) {
    if (k.access_key.empty() || k.access_key.size() > kMaxNameBytes) {
        return "an access key id of " + std::to_string(k.access_key.size()) + " bytes";
    }
    for (std::size_t i = 1; i < k.grants.size(); ++i) {
        if (k.grants[i].bucket_id <= k.grants[i - 1].bucket_id) return "grants not ordered by bucket, one per bucket";
    }
    return {};
}

Problem repair_problem(const RepairRecord& r) {
    if (r.bucket.empty() || r.bucket.size() > kMaxNameBytes) return "a bucket name of " + std::to_string(r.bucket.size()) + " bytes";
    if (r.key.empty() || r.key.size() > kMaxObjectKeyBytes) return "a key of " + std::to_string(r.key.size()) + " bytes";
    return {};
}

// A decoded record must also keep its invariants.
void check_decoded(const Decoder& d, const Problem& problem) {
    d.finish();
    if (!problem.empty()) d.corrupt(problem);
}

void encode_pairs(Encoder& e, const std::vector<std::pair<std::string, std::string>>& pairs) {
    e.u64(pairs.size());
    for (const auto& [k, v] : pairs) {
        e.bytes(k);
        e.bytes(v);
    }
}

std::vector<std::pair<std::string, std::string>> decode_pairs(Decoder& d, const char* field) {
    const std::size_t n = d.count(kPairBytes, field);
    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::string k = d.string();
        pairs.emplace_back(std::move(k), d.string());
    }
    return pairs;
}

void encode_chunks(Encoder& e, const std::vector<ChunkRef>& chunks) {
    e.u64(chunks.size());
    for (const ChunkRef& c : chunks) {
        e.bytes(c.chunk_id);
        e.u64(c.drive);
        e.u64(c.offset);
        e.u64(c.length);
        e.u64(c.piece);
    }
}

std::vector<ChunkRef> decode_chunks(Decoder& d, std::uint64_t format) {
    const std::size_t n = d.count(kChunkRefBytes, "chunk refs");
    std::vector<ChunkRef> chunks;
    chunks.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        ChunkRef c;
        c.chunk_id = d.string(kChunkIdDigits, "a chunk id");
        c.drive = d.u64();
        c.offset = d.u64();
        c.length = d.u64();
        if (format >= 2) c.piece = d.u32();
        chunks.push_back(std::move(c));
    }
    return chunks;
}

}  // namespace

std::string encode(const UploadRecord& r) {
    refuse_to_write(upload_problem(r), "upload");
    Encoder e;
    e.u64(kUploadFormat);
    e.bytes(r.upload_id);
    e.bytes(r.bucket);
    e.bytes(r.key);
    e.u64(r.seq);
    e.u64(r.initiated_ms);
    e.bytes(r.storage_class);
    encode_pairs(e, r.headers);
    encode_pairs(e, r.tags);
    e.bytes(r.checksum_algorithm);
    e.bytes(r.policy);
    e.u64(r.segment_size);
    return e.take();
}

UploadRecord decode_upload(std::string_view bytes) {
    Decoder d(bytes, "upload");
    const std::uint64_t format = check_formats(d, 1, kUploadFormat);
    UploadRecord r;
    r.upload_id = d.string(kMaxNameBytes, "the upload id");
    r.bucket = d.string(kMaxNameBytes, "the bucket name");
    r.key = d.string(kMaxObjectKeyBytes, "the key");
    r.seq = d.u64();
    r.initiated_ms = d.u64();
    r.storage_class = d.string();
    r.headers = decode_pairs(d, "headers");
    r.tags = decode_pairs(d, "tags");
    r.checksum_algorithm = d.string();
    if (format >= 2) {
        r.policy = d.string();
        r.segment_size = d.u32();
    }
    check_decoded(d, upload_problem(r));
    return r;
}

std::string encode(const PartRecord& r) {
    refuse_to_write(part_problem(r), "part");
    Encoder e;
    e.u64(kPartFormat);
    e.u64(r.number);
    e.u64(r.size);
    e.bytes(r.etag);
    e.u64(r.modified_ms);
    e.bytes(r.checksum);
    encode_chunks(e, r.chunks);
    e.bytes(r.policy);
    e.u64(r.segment_size);
    return e.take();
}

PartRecord decode_part(std::string_view bytes) {
    Decoder d(bytes, "part");
    const std::uint64_t format = check_formats(d, 1, kPartFormat);
    PartRecord r;
    r.number = d.u32();
    r.size = d.u64();
    r.etag = d.string();
    r.modified_ms = d.u64();
    r.checksum = d.string();
    r.chunks = decode_chunks(d, format);
    if (format >= 2) r.policy = d.string();
    if (format >= 3) r.segment_size = d.u32();
    check_decoded(d, part_problem(r));
    return r;
}

std::string encode(const BucketRecord& r) {
    refuse_to_write(bucket_problem(r), "bucket");
    Encoder e;
    e.u64(kBucketFormat);
    e.bytes(r.name);
    e.u64(r.id);
    e.u64(r.created_ms);
    e.u64(static_cast<std::uint64_t>(r.versioning));
    e.bytes(r.policy);
    e.boolean(r.public_read);
    return e.take();
}

BucketRecord decode_bucket(std::string_view bytes) {
    Decoder d(bytes, "bucket");
    const std::uint64_t format = check_formats(d, 1, kBucketFormat);
    BucketRecord r;
    r.name = d.string(kMaxNameBytes, "the name");
    r.id = d.u64();
    r.created_ms = d.u64();
    const std::uint64_t versioning = d.u64();
    if (versioning > 2) d.corrupt("versioning state " + std::to_string(versioning));
    r.versioning = static_cast<Versioning>(versioning);
    if (format >= 2) r.policy = d.string();
    if (format >= 3) r.public_read = d.boolean();
    check_decoded(d, bucket_problem(r));
    return r;
}

std::string encode(const KeyRecord& r) {
    refuse_to_write(key_problem(r), "access key");
    Encoder e;
    e.u64(kKeyFormat);
    e.bytes(r.access_key);
    e.bytes(r.name);
    e.bytes(r.sealed_secret);
    e.u64(r.created_ms);
    e.boolean(r.enabled);
    e.boolean(r.create_buckets);
    e.u64(r.grants.size());
    for (const KeyGrant& g : r.grants) {
        e.u64(g.bucket_id);
        e.u64(g.permissions);
    }
    return e.take();
}

KeyRecord decode_key(std::string_view bytes) {
    Decoder d(bytes, "access key");
    check_formats(d, kKeyFormat, kKeyFormat);
    KeyRecord r;
    r.access_key = d.string(kMaxNameBytes, "the access key id");
    r.name = d.string();
    r.sealed_secret = d.string();
    r.created_ms = d.u64();
    r.enabled = d.boolean();
    r.create_buckets = d.boolean();
    const std::size_t grants = d.count(kGrantBytes, "grants");
    r.grants.reserve(grants);
    for (std::size_t i = 0; i < grants; ++i) {
        KeyGrant g;
        g.bucket_id = d.u64();
        g.permissions = d.u32();
        r.grants.push_back(g);
    }
    check_decoded(d, key_problem(r));
    return r;
}

std::string encode(const ObjectVersion& r) {
    refuse_to_write(version_problem(r), "object version");
    Encoder e;
    e.u64(kVersionFormat);
    e.bytes(r.key);
    e.u64(r.seq);
    e.boolean(r.null_version);
    e.boolean(r.delete_marker);
    e.u64(r.modified_ms);
    e.u64(r.size);
    e.bytes(r.etag);
    e.bytes(r.storage_class);
    encode_pairs(e, r.headers);
    encode_pairs(e, r.tags);
    e.bytes(r.checksum_algorithm);
    e.bytes(r.checksum);
    e.bytes(r.inline_data);
    encode_chunks(e, r.chunks);
    e.u64(r.parts.size());
    for (const PartInfo& p : r.parts) {
        e.u64(p.number);
        e.u64(p.size);
        e.bytes(p.etag);
    }
    e.bytes(r.policy);
    e.u64(r.segment_size);
    e.bytes(r.upload_id);
    return e.take();
}

ObjectVersion decode_version(std::string_view bytes) {
    Decoder d(bytes, "object version");
    const std::uint64_t format = check_formats(d, 1, kVersionFormat);
    ObjectVersion r;
    r.key = d.string(kMaxObjectKeyBytes, "the key");
    r.seq = d.u64();
    r.null_version = d.boolean();
    r.delete_marker = d.boolean();
    r.modified_ms = d.u64();
    r.size = d.u64();
    r.etag = d.string();
    r.storage_class = d.string();
    r.headers = decode_pairs(d, "headers");
    r.tags = decode_pairs(d, "tags");
    r.checksum_algorithm = d.string();
    r.checksum = d.string();
    r.inline_data = d.string();
    r.chunks = decode_chunks(d, format);
    const std::size_t parts = d.count(kPartInfoBytes, "parts");
    r.parts.reserve(parts);
    for (std::size_t i = 0; i < parts; ++i) {
        PartInfo p;
        p.number = d.u32();
        p.size = d.u64();
        p.etag = d.string();
        r.parts.push_back(std::move(p));
    }
    if (format >= 2) r.policy = d.string();
    if (format >= 3) r.segment_size = d.u32();
    if (format >= 4) r.upload_id = d.string(kMaxNameBytes, "the upload id");
    check_decoded(d, version_problem(r));
    return r;
}

std::string encode(const ObjectSummary& r) {
    Encoder e;
    e.u64(kSummaryFormat);
    e.u64(r.seq);
    e.u64(r.modified_ms);
    e.u64(r.size);
    e.bytes(r.etag);
    e.bytes(r.storage_class);
    return e.take();
}

ObjectSummary decode_summary(std::string_view bytes) {
    Decoder d(bytes, "object summary");
    check_formats(d, kSummaryFormat, kSummaryFormat);
    ObjectSummary r;
    r.seq = d.u64();
    r.modified_ms = d.u64();
    r.size = d.u64();
    r.etag = d.string();
    r.storage_class = d.string();
    check_decoded(d, {});
    return r;
}

std::string encode(const RepairRecord& r) {
    refuse_to_write(repair_problem(r), "repair");
    Encoder e;
    e.u64(kRepairFormat);
    e.bytes(r.bucket);
    e.bytes(r.key);
    e.bytes(r.version_id);
    e.bytes(r.reason);
    return e.take();
}

RepairRecord decode_repair(std::string_view bytes) {
    Decoder d(bytes, "repair");
    check_formats(d, kRepairFormat, kRepairFormat);
    RepairRecord r;
    r.bucket = d.string(kMaxNameBytes, "the bucket name");
    r.key = d.string(kMaxObjectKeyBytes, "the key");
    r.version_id = d.string();
    r.reason = d.string();
    check_decoded(d, repair_problem(r));
    return r;
}

ObjectSummary summary_of(const ObjectVersion& v) {
    return ObjectSummary{v.seq, v.modified_ms, v.size, v.etag, v.storage_class};
}

std::string format_version_id(std::uint64_t seq) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seq));
    return buf;
}

bool parse_version_id(std::string_view id, std::uint64_t& seq) {
    if (id.size() != 16) return false;
    std::uint64_t v = 0;
    for (char c : id) {
        int digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else return false;
        v = (v << 4) | static_cast<std::uint64_t>(digit);
    }
    seq = v;
    return true;
}

std::string ObjectVersion::version_id() const { return null_version ? "null" : format_version_id(seq); }

}  // namespace shoal::meta
