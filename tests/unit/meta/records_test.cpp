// Record formats: what a version and a part record carry across encoding, and
// that records written before storage policies (format 1) still decode.
#include <catch2/catch.hpp>

#include "core/meta/codec.hpp"
#include "core/meta/records.hpp"

using namespace shoal::meta;

TEST_CASE("a version keeps its chunk copies and policy through encoding", "[meta]") {
    ObjectVersion v;
    v.key = "photos/cat.jpg";
    v.seq = 42;
    v.size = 300;
    v.etag = "abc";
    v.storage_class = "THREECOPIES";
    v.policy = "THREECOPIES";
    for (std::uint32_t piece = 0; piece < 3; ++piece) {
        v.chunks.push_back(ChunkRef{"0123456789abcdef0123456789abcde" + std::to_string(piece), 10 + piece, 0, 300, piece});
    }
    const ObjectVersion back = decode_version(encode(v));
    REQUIRE(back.chunks.size() == 3);
    for (std::uint32_t piece = 0; piece < 3; ++piece) {
        CHECK(back.chunks[piece].piece == piece);
        CHECK(back.chunks[piece].drive == 10 + piece);
        CHECK(back.chunks[piece].chunk_id == v.chunks[piece].chunk_id);
    }
    CHECK(back.policy == "THREECOPIES");

    PartRecord p;
    p.number = 7;
    p.size = 300;
    p.chunks = v.chunks;
    p.policy = "TWOCOPIES";
    const PartRecord part = decode_part(encode(p));
    CHECK(part.policy == "TWOCOPIES");
    REQUIRE(part.chunks.size() == 3);
    CHECK(part.chunks[2].piece == 2);
}

TEST_CASE("records from before storage policies decode as single copies", "[meta]") {
    // A format-1 version record, field by field as that format wrote it.
    Encoder e;
    e.u64(1);              // format
    e.bytes("old/key");    // key
    e.u64(5);              // seq
    e.boolean(false);      // null version
    e.boolean(false);      // delete marker
    e.u64(1000);           // modified
    e.u64(10);             // size
    e.bytes("etag");
    e.bytes("STANDARD");
    e.u64(0);              // headers
    e.u64(0);              // tags
    e.bytes("");           // checksum algorithm
    e.bytes("");           // checksum
    e.bytes("");           // inline data
    e.u64(1);              // one chunk: id, drive, offset, length
    e.bytes("00112233445566778899aabbccddeeff");
    e.u64(9);
    e.u64(0);
    e.u64(10);
    e.u64(0);              // parts
    const ObjectVersion v = decode_version(e.take());
    CHECK(v.key == "old/key");
    REQUIRE(v.chunks.size() == 1);
    CHECK(v.chunks[0].drive == 9);
    CHECK(v.chunks[0].length == 10);
    CHECK(v.chunks[0].piece == 0);
    CHECK(v.policy.empty());

    Encoder part;
    part.u64(1);  // format
    part.u64(3);  // number
    part.u64(10);
    part.bytes("etag");
    part.u64(1000);
    part.bytes("");
    part.u64(0);  // no chunks
    const PartRecord p = decode_part(part.take());
    CHECK(p.number == 3);
    CHECK(p.policy.empty());

    Encoder future;
    future.u64(5);
    CHECK_THROWS_AS(decode_version(future.take()), CorruptRecord);
}

TEST_CASE("a completed upload's version keeps its upload id; format-3 versions have none", "[meta]") {
    ObjectVersion v;
    v.key = "assembled";
    v.seq = 9;
    v.etag = "abc-2";
    v.upload_id = "0000000000000001ffffffffffffffff";
    v.parts = {PartInfo{1, 5 << 20, "e1"}, PartInfo{2, 10, "e2"}};
    const ObjectVersion back = decode_version(encode(v));
    CHECK(back.upload_id == v.upload_id);
    REQUIRE(back.parts.size() == 2);
    CHECK(back.parts[1].etag == "e2");

    v.upload_id.clear();
    std::string bytes = encode(v);
    // The same record as format 3 wrote it: no upload id at its end.
    REQUIRE(bytes.back() == '\0');  // the empty upload id's length
    bytes.pop_back();
    bytes[0] = 3;
    const ObjectVersion old = decode_version(bytes);
    CHECK(old.upload_id.empty());
    CHECK(old.etag == "abc-2");
}

TEST_CASE("erasure-coded versions, parts and uploads keep their segment size", "[meta]") {
    ObjectVersion v;
    v.key = "k";
    v.size = 5000;
    v.policy = "EC4+2";
    v.segment_size = 1 << 20;
    for (std::uint32_t piece = 0; piece < 6; ++piece) {
        v.chunks.push_back(ChunkRef{"00112233445566778899aabbccddeef" + std::to_string(piece), piece, 0, 5000, piece});
    }
    const ObjectVersion back = decode_version(encode(v));
    CHECK(back.policy == "EC4+2");
    CHECK(back.segment_size == (1u << 20));
    CHECK(back.chunks.size() == 6);

    PartRecord p;
    p.policy = "EC2+1/CAUCHY";
    p.segment_size = 65536;
    const PartRecord part = decode_part(encode(p));
    CHECK(part.policy == p.policy);
    CHECK(part.segment_size == 65536);

    UploadRecord u;
    u.upload_id = "id";
    u.policy = "EC4+2";
    u.segment_size = 4096;
    const UploadRecord up = decode_upload(encode(u));
    CHECK(up.policy == "EC4+2");
    CHECK(up.segment_size == 4096);

    // An upload record of format 1 (before policies were fixed per upload).
    Encoder old;
    old.u64(1);
    old.bytes("id");
    old.bytes("bucket");
    old.bytes("key");
    old.u64(1);
    old.u64(2);
    old.bytes("STANDARD");
    old.u64(0);
    old.u64(0);
    old.bytes("");
    const UploadRecord legacy = decode_upload(old.take());
    CHECK(legacy.key == "key");
    CHECK(legacy.policy.empty());
    CHECK(legacy.segment_size == 0);
}

TEST_CASE("a bucket keeps its storage policy; format-1 bucket records have none", "[meta]") {
    BucketRecord b;
    b.name = "photos";
    b.id = 7;
    b.policy = "EC4+2";
    const BucketRecord back = decode_bucket(encode(b));
    CHECK(back.name == "photos");
    CHECK(back.policy == "EC4+2");

    Encoder old;
    old.u64(1);  // format
    old.bytes("old");
    old.u64(3);
    old.u64(1000);
    old.u64(1);  // versioning enabled
    const BucketRecord legacy = decode_bucket(old.take());
    CHECK(legacy.name == "old");
    CHECK(legacy.versioning == Versioning::enabled);
    CHECK(legacy.policy.empty());
    CHECK_FALSE(legacy.public_read);

    b.public_read = true;
    CHECK(decode_bucket(encode(b)).public_read);
}

TEST_CASE("an access key record keeps its flags and grants", "[meta]") {
    KeyRecord k;
    k.access_key = "SKABCDEFGHIJKLMNOPQR";
    k.name = "backups";
    k.sealed_secret = std::string("\0\1sealed", 8);
    k.created_ms = 1234;
    k.enabled = false;
    k.create_buckets = true;
    k.grants = {KeyGrant{3, 1}, KeyGrant{900, 7}};
    const KeyRecord back = decode_key(encode(k));
    CHECK(back.access_key == k.access_key);
    CHECK(back.name == "backups");
    CHECK(back.sealed_secret == k.sealed_secret);
    CHECK(back.created_ms == 1234);
    CHECK_FALSE(back.enabled);
    CHECK(back.create_buckets);
    REQUIRE(back.grants.size() == 2);
    CHECK(back.grants[1].bucket_id == 900);
    CHECK(back.grants[1].permissions == 7);
    const std::string bytes = encode(k);
    CHECK_THROWS_AS(decode_key(bytes.substr(0, bytes.size() - 1)), CorruptRecord);
}
