// The metadata record decoders (core/meta/records.hpp): bucket, access key,
// object version, summary, upload, part and repair-queue records, every format.
//
// Raw form (first byte < 0x80; its low bits pick the record type): the rest
// of the input is decoded. Decoding either throws CorruptRecord or returns a
// record that keeps its invariants (restated here for versions and parts:
// inline data is the size, chunks cover it in order, parts add up to it);
// the record re-encodes to bytes that decode to the same record; and a
// record of the current format re-encodes to exactly its input (the decoder
// takes only the encoder's form). ASan catches any read past the input.
//
// Generated form (first byte >= 0x80): a valid record of the picked type is
// built from the rest of the input (FuzzedDataProvider); it must encode, and
// decode back to itself.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/meta/records.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;
using namespace shoal::meta;

enum class Type { bucket, key, version, summary, upload, part, repair };
constexpr int kTypes = 7;

// The format number a record starts with (a one-byte varint in every
// format there is), or 0.
std::uint64_t format_of(std::string_view bytes) {
    return !bytes.empty() && static_cast<unsigned char>(bytes[0]) < 0x80 ? static_cast<unsigned char>(bytes[0]) : 0;
}

void check_chunks(const std::vector<ChunkRef>& chunks, std::uint64_t size) {
    std::uint64_t end = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const ChunkRef& c = chunks[i];
        FUZZ_CHECK(c.chunk_id.size() == 32, "chunk ids are 32 digits");
        if (i > 0 && c.offset == chunks[i - 1].offset) {
            FUZZ_CHECK(c.length == chunks[i - 1].length, "pieces of a chunk share its length");
            continue;
        }
        FUZZ_CHECK(c.offset == end && c.length > 0 && c.length <= UINT64_MAX - c.offset, "chunks follow each other");
        end = c.offset + c.length;
    }
    FUZZ_CHECK(end == size, "chunks cover the size");
}

void check_version(const ObjectVersion& v) {
    FUZZ_CHECK(!v.key.empty() && v.key.size() <= 1024, "a key of 1 to 1024 bytes");
    if (v.chunks.empty()) {
        FUZZ_CHECK(v.inline_data.size() == v.size, "inline data is the size");
    } else {
        FUZZ_CHECK(v.inline_data.empty(), "no inline data beside chunks");
        check_chunks(v.chunks, v.size);
    }
    if (v.delete_marker) FUZZ_CHECK(v.size == 0 && v.parts.empty(), "a delete marker holds nothing");
    if (!v.parts.empty()) {
        std::uint64_t total = 0;
        std::uint32_t previous = 0;
        for (const PartInfo& p : v.parts) {
            FUZZ_CHECK(p.number > previous && p.number <= 10000, "parts in rising order");
            previous = p.number;
            FUZZ_CHECK(p.size <= UINT64_MAX - total, "part sizes add up");
            total += p.size;
        }
        FUZZ_CHECK(total == v.size, "parts add up to the size");
    }
}

void check_record(const ObjectVersion& v) { check_version(v); }
void check_record(const PartRecord& p) {
    FUZZ_CHECK(p.number >= 1 && p.number <= 10000, "part numbers 1 to 10000");
    check_chunks(p.chunks, p.size);
}
void check_record(const BucketRecord& b) { FUZZ_CHECK(!b.name.empty() && b.name.size() <= 255, "a bucket name"); }
void check_record(const KeyRecord& k) {
    for (std::size_t i = 1; i < k.grants.size(); ++i) {
        FUZZ_CHECK(k.grants[i - 1].bucket_id < k.grants[i].bucket_id, "grants ordered by bucket");
    }
}
void check_record(const UploadRecord& u) { FUZZ_CHECK(!u.upload_id.empty(), "an upload id"); }
void check_record(const ObjectSummary&) {}
void check_record(const RepairRecord& r) {
    FUZZ_CHECK(!r.bucket.empty() && !r.key.empty() && r.key.size() <= 1024, "a bucket and a key");
}

// Decodes `bytes`; a record that decodes is checked and round-tripped.
template <typename Record, std::uint64_t kCurrent>
void raw(std::string_view bytes, Record (*decode)(std::string_view)) {
    Record record;
    try {
        record = decode(bytes);
    } catch (const CorruptRecord&) {
        return;
    }
    check_record(record);
    const std::string again = encode(record);
    FUZZ_CHECK(decode(again) == record, "a decoded record re-encodes to bytes that decode to it");
    if (format_of(bytes) == kCurrent) FUZZ_CHECK(again == bytes, "a current record re-encodes to its own bytes");
}

std::string text(FuzzedDataProvider& in, std::size_t max) { return in.ConsumeRandomLengthString(max); }

std::string chunk_id(FuzzedDataProvider& in) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (char& c : id) c = kHex[in.ConsumeIntegralInRange(0, 15)];
    return id;
}

std::vector<std::pair<std::string, std::string>> pairs(FuzzedDataProvider& in) {
    std::vector<std::pair<std::string, std::string>> out(in.ConsumeIntegralInRange(0, 4));
    for (auto& [k, v] : out) {
        k = text(in, 32);
        v = text(in, 64);
    }
    return out;
}

// Chunks covering `size` bytes (> 0): a few chunks of a few pieces each.
std::vector<ChunkRef> chunks_for(FuzzedDataProvider& in, std::uint64_t size) {
    std::vector<ChunkRef> chunks;
    const int pieces = in.ConsumeIntegralInRange(1, 6);
    for (std::uint64_t at = 0; at < size;) {
        const std::uint64_t length = in.remaining_bytes() == 0 ? size - at : in.ConsumeIntegralInRange<std::uint64_t>(1, size - at);
        for (int p = 0; p < pieces; ++p) {
            chunks.push_back(ChunkRef{chunk_id(in), in.ConsumeIntegral<std::uint64_t>(), at, length,
                                      in.ConsumeIntegralInRange<std::uint32_t>(0, 255)});
        }
        at += length;
    }
    return chunks;
}

ObjectVersion make_version(FuzzedDataProvider& in) {
    ObjectVersion v;
    v.key = text(in, 1024);
    if (v.key.empty()) v.key = "k";
    v.seq = in.ConsumeIntegral<std::uint64_t>();
    v.null_version = in.ConsumeBool();
    v.modified_ms = in.ConsumeIntegral<std::uint64_t>();
    v.etag = text(in, 40);
    v.storage_class = text(in, 16);
    v.headers = pairs(in);
    v.tags = pairs(in);
    v.checksum_algorithm = text(in, 8);
    v.checksum = text(in, 48);
    switch (in.ConsumeIntegralInRange(0, 3)) {
        case 0:
            v.delete_marker = true;
            break;
        case 1:
            v.inline_data = text(in, 4096);
            v.size = v.inline_data.size();
            break;
        default: {
            v.size = in.ConsumeIntegralInRange<std::uint64_t>(1, std::uint64_t{1} << 40);
            v.chunks = chunks_for(in, v.size);
            if (in.ConsumeBool()) {  // multipart: parts splitting the size
                std::uint32_t number = 0;
                for (std::uint64_t at = 0; at < v.size && number < 10000;) {
                    number += in.ConsumeIntegralInRange<std::uint32_t>(1, 3);
                    if (number > 10000) break;
                    const std::uint64_t n = in.remaining_bytes() == 0 ? v.size - at
                                                                      : in.ConsumeIntegralInRange<std::uint64_t>(0, v.size - at);
                    v.parts.push_back(PartInfo{number, n, text(in, 40)});
                    at += n;
                }
                std::uint64_t total = 0;
                for (const PartInfo& p : v.parts) total += p.size;
                if (total != v.size) v.parts.clear();
            }
            v.policy = text(in, 24);
            v.segment_size = in.ConsumeIntegral<std::uint32_t>();
            if (!v.parts.empty()) v.upload_id = text(in, 255);
        }
    }
    return v;
}

PartRecord make_part(FuzzedDataProvider& in) {
    PartRecord p;
    p.number = in.ConsumeIntegralInRange<std::uint32_t>(1, 10000);
    p.size = in.ConsumeIntegralInRange<std::uint64_t>(0, std::uint64_t{5} << 30);
    p.etag = text(in, 40);
    p.modified_ms = in.ConsumeIntegral<std::uint64_t>();
    p.checksum = text(in, 48);
    if (p.size > 0) p.chunks = chunks_for(in, p.size);
    p.policy = text(in, 24);
    p.segment_size = in.ConsumeIntegral<std::uint32_t>();
    return p;
}

BucketRecord make_bucket(FuzzedDataProvider& in) {
    BucketRecord b;
    b.name = text(in, 255);
    if (b.name.empty()) b.name = "b";
    b.id = in.ConsumeIntegral<std::uint64_t>();
    b.created_ms = in.ConsumeIntegral<std::uint64_t>();
    b.versioning = static_cast<Versioning>(in.ConsumeIntegralInRange(0, 2));
    b.policy = text(in, 24);
    b.public_read = in.ConsumeBool();
    return b;
}

KeyRecord make_key(FuzzedDataProvider& in) {
    KeyRecord k;
    k.access_key = text(in, 255);
    if (k.access_key.empty()) k.access_key = "AK";
    k.name = text(in, 64);
    k.sealed_secret = text(in, 80);
    k.created_ms = in.ConsumeIntegral<std::uint64_t>();
    k.enabled = in.ConsumeBool();
    k.create_buckets = in.ConsumeBool();
    std::uint64_t bucket = 0;
    for (int n = in.ConsumeIntegralInRange(0, 8); n > 0 && bucket < UINT64_MAX - 1000; --n) {
        bucket += in.ConsumeIntegralInRange<std::uint64_t>(1, 1000);
        k.grants.push_back(KeyGrant{bucket, in.ConsumeIntegral<std::uint32_t>()});
    }
    return k;
}

UploadRecord make_upload(FuzzedDataProvider& in) {
    UploadRecord u;
    u.upload_id = text(in, 255);
    if (u.upload_id.empty()) u.upload_id = "u";
    u.bucket = text(in, 255);
    u.key = text(in, 1024);
    u.seq = in.ConsumeIntegral<std::uint64_t>();
    u.initiated_ms = in.ConsumeIntegral<std::uint64_t>();
    u.storage_class = text(in, 16);
    u.headers = pairs(in);
    u.tags = pairs(in);
    u.checksum_algorithm = text(in, 8);
    u.policy = text(in, 24);
    u.segment_size = in.ConsumeIntegral<std::uint32_t>();
    return u;
}

ObjectSummary make_summary(FuzzedDataProvider& in) {
    ObjectSummary s;
    s.seq = in.ConsumeIntegral<std::uint64_t>();
    s.modified_ms = in.ConsumeIntegral<std::uint64_t>();
    s.size = in.ConsumeIntegral<std::uint64_t>();
    s.etag = text(in, 40);
    s.storage_class = text(in, 16);
    return s;
}

RepairRecord make_repair(FuzzedDataProvider& in) {
    RepairRecord r;
    r.bucket = text(in, 255);
    if (r.bucket.empty()) r.bucket = "b";
    r.key = text(in, 1024);
    if (r.key.empty()) r.key = "k";
    r.version_id = text(in, 16);
    r.reason = text(in, 200);
    return r;
}

template <typename Record>
void round_trip(const Record& record, Record (*decode)(std::string_view)) {
    std::string bytes;
    try {
        bytes = encode(record);
    } catch (const MetaError& e) {
        FUZZ_CHECK(false, e.what());  // a valid record is always written
    }
    FUZZ_CHECK(decode(bytes) == record, "a valid record round-trips");
    FUZZ_CHECK(encode(decode(bytes)) == bytes, "and re-encodes to the same bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto type = static_cast<Type>((data[0] & 0x7f) % kTypes);
    if ((data[0] & 0x80) == 0) {
        const std::string_view bytes = fuzz::as_text(data + 1, size - 1);
        switch (type) {
            case Type::bucket: raw<BucketRecord, 3>(bytes, decode_bucket); break;
            case Type::key: raw<KeyRecord, 1>(bytes, decode_key); break;
            case Type::version: raw<ObjectVersion, 4>(bytes, decode_version); break;
            case Type::summary: raw<ObjectSummary, 1>(bytes, decode_summary); break;
            case Type::upload: raw<UploadRecord, 2>(bytes, decode_upload); break;
            case Type::part: raw<PartRecord, 3>(bytes, decode_part); break;
            case Type::repair: raw<RepairRecord, 1>(bytes, decode_repair); break;
        }
        return 0;
    }
    FuzzedDataProvider in(data + 1, size - 1);
    switch (type) {
        case Type::bucket: round_trip(make_bucket(in), decode_bucket); break;
        case Type::key: round_trip(make_key(in), decode_key); break;
        case Type::version: round_trip(make_version(in), decode_version); break;
        case Type::summary: round_trip(make_summary(in), decode_summary); break;
        case Type::upload: round_trip(make_upload(in), decode_upload); break;
        case Type::part: round_trip(make_part(in), decode_part); break;
        case Type::repair: round_trip(make_repair(in), decode_repair); break;
    }
    return 0;
}
