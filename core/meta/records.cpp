#include "core/meta/records.hpp"

#include <cstdio>

#include "core/meta/codec.hpp"

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

// Returns the record's format, `oldest` to `newest`.
std::uint64_t check_formats(Decoder& d, std::uint64_t oldest, std::uint64_t newest, const char* what) {
    const std::uint64_t format = d.u64();
    if (format < oldest || format > newest) {
        throw CorruptRecord(std::string("metadata store: unknown ") + what + " record format " + std::to_string(format));
    }
    return format;
}

void check_format(Decoder& d, std::uint64_t expected, const char* what) { check_formats(d, expected, expected, what); }

void encode_pairs(Encoder& e, const std::vector<std::pair<std::string, std::string>>& pairs) {
    e.u64(pairs.size());
    for (const auto& [k, v] : pairs) {
        e.bytes(k);
        e.bytes(v);
    }
}

std::vector<std::pair<std::string, std::string>> decode_pairs(Decoder& d) {
    const std::uint64_t n = d.u64();
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::uint64_t i = 0; i < n; ++i) {
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
    std::vector<ChunkRef> chunks;
    const std::uint64_t n = d.u64();
    for (std::uint64_t i = 0; i < n; ++i) {
        ChunkRef c;
        c.chunk_id = d.string();
        c.drive = d.u64();
        c.offset = d.u64();
        c.length = d.u64();
        if (format >= 2) c.piece = static_cast<std::uint32_t>(d.u64());
        chunks.push_back(std::move(c));
    }
    return chunks;
}

}  // namespace

std::string encode(const UploadRecord& r) {
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
    Decoder d(bytes);
    const std::uint64_t format = check_formats(d, 1, kUploadFormat, "upload");
    UploadRecord r;
    r.upload_id = d.string();
    r.bucket = d.string();
    r.key = d.string();
    r.seq = d.u64();
    r.initiated_ms = d.u64();
    r.storage_class = d.string();
    r.headers = decode_pairs(d);
    r.tags = decode_pairs(d);
    r.checksum_algorithm = d.string();
    if (format >= 2) {
        r.policy = d.string();
        r.segment_size = static_cast<std::uint32_t>(d.u64());
    }
    return r;
}

std::string encode(const PartRecord& r) {
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
    Decoder d(bytes);
    const std::uint64_t format = check_formats(d, 1, kPartFormat, "part");
    PartRecord r;
    r.number = static_cast<std::uint32_t>(d.u64());
    r.size = d.u64();
    r.etag = d.string();
    r.modified_ms = d.u64();
    r.checksum = d.string();
    r.chunks = decode_chunks(d, format);
    if (format >= 2) r.policy = d.string();
    if (format >= 3) r.segment_size = static_cast<std::uint32_t>(d.u64());
    return r;
}

std::string encode(const BucketRecord& r) {
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
    Decoder d(bytes);
    const std::uint64_t format = check_formats(d, 1, kBucketFormat, "bucket");
    BucketRecord r;
    r.name = d.string();
    r.id = d.u64();
    r.created_ms = d.u64();
    const std::uint64_t versioning = d.u64();
    if (versioning > 2) throw CorruptRecord("metadata store: bad versioning state");
    r.versioning = static_cast<Versioning>(versioning);
    if (format >= 2) r.policy = d.string();
    if (format >= 3) r.public_read = d.boolean();
    return r;
}

std::string encode(const KeyRecord& r) {
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
    Decoder d(bytes);
    check_format(d, kKeyFormat, "access key");
    KeyRecord r;
    r.access_key = d.string();
    r.name = d.string();
    r.sealed_secret = d.string();
    r.created_ms = d.u64();
    r.enabled = d.boolean();
    r.create_buckets = d.boolean();
    const std::uint64_t grants = d.u64();
    if (grants > bytes.size()) throw CorruptRecord("metadata store: bad grant count");
    for (std::uint64_t i = 0; i < grants; ++i) {
        KeyGrant g;
        g.bucket_id = d.u64();
        g.permissions = static_cast<std::uint32_t>(d.u64());
        r.grants.push_back(g);
    }
    return r;
}

std::string encode(const ObjectVersion& r) {
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
    Decoder d(bytes);
    const std::uint64_t format = check_formats(d, 1, kVersionFormat, "object version");
    ObjectVersion r;
    r.key = d.string();
    r.seq = d.u64();
    r.null_version = d.boolean();
    r.delete_marker = d.boolean();
    r.modified_ms = d.u64();
    r.size = d.u64();
    r.etag = d.string();
    r.storage_class = d.string();
    r.headers = decode_pairs(d);
    r.tags = decode_pairs(d);
    r.checksum_algorithm = d.string();
    r.checksum = d.string();
    r.inline_data = d.string();
    r.chunks = decode_chunks(d, format);
    const std::uint64_t parts = d.u64();
    for (std::uint64_t i = 0; i < parts; ++i) {
        PartInfo p;
        p.number = static_cast<std::uint32_t>(d.u64());
        p.size = d.u64();
        p.etag = d.string();
        r.parts.push_back(std::move(p));
    }
    if (format >= 2) r.policy = d.string();
    if (format >= 3) r.segment_size = static_cast<std::uint32_t>(d.u64());
    if (format >= 4) r.upload_id = d.string();
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
    Decoder d(bytes);
    check_format(d, kSummaryFormat, "object summary");
    ObjectSummary r;
    r.seq = d.u64();
    r.modified_ms = d.u64();
    r.size = d.u64();
    r.etag = d.string();
    r.storage_class = d.string();
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
