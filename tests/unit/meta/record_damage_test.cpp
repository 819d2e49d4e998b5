// Damaged records: every decoder refuses bytes that break a length, a count or
// a record's invariants (records.hpp) with CorruptRecord, and never reads
// past its input; encoders refuse to write what could not be read back.
// Records are written here field by field (as the formats lay them out), so
// that inconsistent ones can be made.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/meta/codec.hpp"
#include "core/meta/records.hpp"

using namespace shoal::meta;

namespace {

const std::string kId0 = "00112233445566778899aabbccddeef0";
const std::string kId1 = "00112233445566778899aabbccddeef1";
const std::string kId2 = "00112233445566778899aabbccddeef2";

// An object version record of format 4, field by field.
struct RawVersion {
    std::string key = "k";
    std::uint64_t seq = 7;
    bool delete_marker = false;
    std::uint64_t size = 5;
    std::string inline_data = "hello";
    std::vector<ChunkRef> chunks;
    std::vector<PartInfo> parts;
    std::uint64_t chunk_count_override = UINT64_MAX;  // else chunks.size()
    std::string trailer;                               // bytes after the last field
};

std::string raw(const RawVersion& v) {
    Encoder e;
    e.u64(4);
    e.bytes(v.key);
    e.u64(v.seq);
    e.boolean(false);
    e.boolean(v.delete_marker);
    e.u64(1000);
    e.u64(v.size);
    e.bytes("etag");
    e.bytes("STANDARD");
    e.u64(1);  // one header
    e.bytes("Content-Type");
    e.bytes("text/plain");
    e.u64(0);  // tags
    e.bytes("");
    e.bytes("");
    e.bytes(v.inline_data);
    e.u64(v.chunk_count_override != UINT64_MAX ? v.chunk_count_override : v.chunks.size());
    for (const ChunkRef& c : v.chunks) {
        e.bytes(c.chunk_id);
        e.u64(c.drive);
        e.u64(c.offset);
        e.u64(c.length);
        e.u64(c.piece);
    }
    e.u64(v.parts.size());
    for (const PartInfo& p : v.parts) {
        e.u64(p.number);
        e.u64(p.size);
        e.bytes(p.etag);
    }
    e.bytes(v.chunks.empty() ? "" : "THREECOPIES");
    e.u64(0);
    e.bytes("");  // the upload it completed: none
    return e.take() + v.trailer;
}

// Three copies of each of two chunks of 6 and 4 bytes: a 10-byte object.
RawVersion chunked() {
    RawVersion v;
    v.size = 10;
    v.inline_data.clear();
    for (std::uint32_t piece = 0; piece < 3; ++piece) v.chunks.push_back(ChunkRef{kId0, piece + 1, 0, 6, piece});
    for (std::uint32_t piece = 0; piece < 3; ++piece) v.chunks.push_back(ChunkRef{kId1, piece + 1, 6, 4, piece});
    return v;
}

std::string corrupt_reason(const std::string& bytes) {
    try {
        decode_version(bytes);
    } catch (const CorruptRecord& e) {
        return e.what();
    }
    return "decoded";
}

}  // namespace

TEST_CASE("well-formed raw records decode (the baseline of the damage cases)", "[meta]") {
    const ObjectVersion inline_version = decode_version(raw(RawVersion{}));
    CHECK(inline_version.inline_data == "hello");
    const ObjectVersion v = decode_version(raw(chunked()));
    CHECK(v.chunks.size() == 6);
    CHECK(encode(v) == raw(chunked()));  // the raw layout is the encoder's
}

TEST_CASE("an inline version whose data is not its size is damaged", "[meta]") {
    RawVersion v;
    v.size = 4096;  // a record saying more than it holds: a read would copy past the data
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("inline data of 5 bytes, the size says 4096"));
    v.size = 2;
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("inline data of 5 bytes, the size says 2"));
    v = chunked();
    v.inline_data = "x";
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("both inline data and chunks"));
}

TEST_CASE("a version's chunks must cover its size, in order, without gaps or overlaps", "[meta]") {
    struct Case {
        const char* name;
        void (*damage)(RawVersion&);
        const char* reason;
    };
    const Case cases[] = {
        {"size past the chunks", [](RawVersion& v) { v.size = 11; }, "the chunks cover 10 bytes, the size says 11"},
        {"size short of the chunks", [](RawVersion& v) { v.size = 9; }, "the chunks cover 10 bytes, the size says 9"},
        {"first chunk not at 0", [](RawVersion& v) { for (auto& c : v.chunks) c.offset += 1; },
         "a chunk at 1 where the content continues at 0"},
        {"a gap", [](RawVersion& v) { for (std::size_t i = 3; i < 6; ++i) v.chunks[i].offset = 7; },
         "a chunk at 7 where the content continues at 6"},
        {"an overlap", [](RawVersion& v) { for (std::size_t i = 3; i < 6; ++i) v.chunks[i].offset = 5; },
         "a chunk at 5 where the content continues at 6"},
        {"out of order", [](RawVersion& v) { std::swap(v.chunks[0], v.chunks[3]); }, "a chunk at 6"},
        {"pieces of unequal length", [](RawVersion& v) { v.chunks[1].length = 5; }, "differ in length"},
        {"an empty chunk", [](RawVersion& v) { v.chunks.insert(v.chunks.begin() + 3, ChunkRef{kId2, 1, 6, 0, 0}); },
         "an empty chunk"},
        {"a length past 2^64",
         [](RawVersion& v) {
             v.chunks.resize(3);
             for (auto& c : v.chunks) c.length = UINT64_MAX;
             v.size = UINT64_MAX;
             v.chunks.push_back(ChunkRef{kId1, 1, UINT64_MAX, 2, 0});
         },
         "a chunk ending past 2^64"},
        {"a short chunk id", [](RawVersion& v) { v.chunks[2].chunk_id = "0011"; }, "damaged object version record"},
        {"a long chunk id", [](RawVersion& v) { v.chunks[2].chunk_id += "0"; }, "a chunk id longer than 32 bytes"},
        {"a chunk id not hex", [](RawVersion& v) { v.chunks[2].chunk_id[5] = 'G'; }, "not 32 lower-case hex digits"},
        {"a piece past 255", [](RawVersion& v) { v.chunks[2].piece = 256; }, "piece 256"},
        {"a piece past 32 bits", [](RawVersion& v) { v.chunks[2].piece = UINT32_MAX; }, "piece"},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            RawVersion v = chunked();
            c.damage(v);
            CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains(c.reason));
        }
    }
}

TEST_CASE("a multipart version's parts must add up to its size, numbered in rising order", "[meta]") {
    RawVersion v = chunked();
    v.parts = {PartInfo{1, 6, "a"}, PartInfo{2, 4, "b"}};
    CHECK(decode_version(raw(v)).parts.size() == 2);
    v.parts[1].size = 3;
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("parts adding up to 9 bytes, the size says 10"));
    v.parts[1].size = 4;
    v.parts[1].number = 1;
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("part 1 after part 1"));
    v.parts = {PartInfo{0, 10, "a"}};
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("part 0 after part 0"));
    v.parts = {PartInfo{10001, 10, "a"}};
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("part 10001"));
}

TEST_CASE("a delete marker holds no content", "[meta]") {
    RawVersion v;
    v.delete_marker = true;
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("a delete marker with content"));
    v.size = 0;
    v.inline_data.clear();
    CHECK(decode_version(raw(v)).delete_marker);
}

TEST_CASE("counts and lengths past the record's bytes are refused before anything is sized from them", "[meta]") {
    RawVersion v = chunked();
    v.chunk_count_override = std::uint64_t{1} << 60;
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("more chunk refs than the record holds"));
    v.chunk_count_override = 7;  // one more than there are
    CHECK_THAT(corrupt_reason(raw(v)), Catch::Contains("damaged object version record"));

    // A string length beyond the record: the inline data's length says 1 GiB.
    std::string bytes = raw(RawVersion{});
    const std::string hello = std::string("\x05") + "hello";
    const std::size_t at = bytes.find(hello);
    REQUIRE(at != std::string::npos);
    Encoder big;
    big.u64(std::uint64_t{1} << 30);
    bytes.replace(at, 1, big.take());
    CHECK_THAT(corrupt_reason(bytes), Catch::Contains("a string longer than the record"));
}

TEST_CASE("every truncation of every record type is refused", "[meta]") {
    ObjectVersion version = decode_version(raw(chunked()));
    version.parts = {PartInfo{1, 10, "etag"}};
    version.tags = {{"a", "b"}};
    BucketRecord bucket{"photos", 3, 1000, Versioning::enabled, "EC4+2", true};
    KeyRecord key{"SKABCDEFGHIJKLMNOPQR", "name", "sealed", 12, true, false, {KeyGrant{1, 3}, KeyGrant{9, 1}}};
    UploadRecord upload{"upload-id", "photos", "k", 1, 2, "STANDARD", {{"h", "v"}}, {{"t", "v"}}, "CRC32", "EC4+2", 4096};
    PartRecord part{1, 10, "etag", 5, "sum", version.chunks, "THREECOPIES", 0};
    ObjectSummary summary{1, 2, 3, "etag", "STANDARD"};
    RepairRecord repair{"photos", "k", "null", "drive 1 (/srv/d1): full"};

    const auto every_prefix_fails = [](const std::string& bytes, auto decode) {
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            INFO("prefix of " << n << " of " << bytes.size() << " bytes");
            CHECK_THROWS_AS(decode(std::string_view(bytes).substr(0, n)), CorruptRecord);
        }
        CHECK_THROWS_AS(decode(bytes + '\0'), CorruptRecord);  // and a byte too many
        CHECK_NOTHROW(decode(bytes));
    };
    every_prefix_fails(encode(version), decode_version);
    every_prefix_fails(encode(bucket), decode_bucket);
    every_prefix_fails(encode(key), decode_key);
    every_prefix_fails(encode(upload), decode_upload);
    every_prefix_fails(encode(part), decode_part);
    every_prefix_fails(encode(summary), decode_summary);
    every_prefix_fails(encode(repair), decode_repair);

    CHECK(decode_version(encode(version)) == version);
    CHECK(decode_bucket(encode(bucket)) == bucket);
    CHECK(decode_key(encode(key)) == key);
    CHECK(decode_upload(encode(upload)) == upload);
    CHECK(decode_part(encode(part)) == part);
    CHECK(decode_summary(encode(summary)) == summary);
    CHECK(decode_repair(encode(repair)) == repair);
    repair.key.clear();
    CHECK_THROWS_AS(encode(repair), MetaError);
}

TEST_CASE("numbers and booleans are read only in the form the encoder writes", "[meta]") {
    Encoder e;
    e.u64(1);  // summary format
    const std::string head = e.take();
    const std::string tail(4, '\0');  // modified, size, etag, storage class
    CHECK(decode_summary(head + "\x05" + tail).seq == 5);
    // 5 as two bytes (0x85 0x00): the same number, not the encoder's form.
    CHECK_THROWS_WITH(decode_summary(head + std::string("\x85\x00", 2) + tail), Catch::Contains("shortest form"));
    // Eleven bytes, or a tenth byte above 1: beyond 64 bits.
    CHECK_THROWS_WITH(decode_summary(head + std::string(10, '\xff') + "\x01" + tail), Catch::Contains("64 bits"));
    CHECK_THROWS_WITH(decode_summary(head + std::string(9, '\xff') + "\x02" + tail), Catch::Contains("64 bits"));
    CHECK(decode_summary(head + std::string(9, '\xff') + "\x01" + tail).seq == UINT64_MAX);

    BucketRecord b;
    b.name = "photos";
    std::string bytes = encode(b);
    bytes.back() = '\x02';  // public_read
    CHECK_THROWS_WITH(decode_bucket(bytes), Catch::Contains("a boolean neither 0 nor 1"));

    PartRecord p;
    p.number = 1;
    std::string part = encode(p);
    Encoder big;
    big.u64(std::uint64_t{1} << 32);  // the segment size, last: a number past 32 bits
    part.pop_back();
    part += big.take();
    CHECK_THROWS_AS(decode_part(part), CorruptRecord);
}

TEST_CASE("bucket, key, upload and part records keep their invariants", "[meta]") {
    Encoder bucket;
    bucket.u64(3);
    bucket.bytes("");  // no name
    bucket.u64(1);
    bucket.u64(0);
    bucket.u64(0);
    bucket.bytes("");
    bucket.boolean(false);
    CHECK_THROWS_WITH(decode_bucket(bucket.take()), Catch::Contains("a name of 0 bytes"));

    Encoder versioning;
    versioning.u64(1);
    versioning.bytes("b");
    versioning.u64(1);
    versioning.u64(0);
    versioning.u64(3);
    CHECK_THROWS_WITH(decode_bucket(versioning.take()), Catch::Contains("versioning state 3"));

    Encoder key;
    key.u64(1);
    key.bytes("AK");
    key.bytes("");
    key.bytes("");
    key.u64(0);
    key.boolean(true);
    key.boolean(false);
    key.u64(2);  // grants out of order: lookups bisect them
    key.u64(9);
    key.u64(1);
    key.u64(3);
    key.u64(1);
    CHECK_THROWS_WITH(decode_key(key.take()), Catch::Contains("grants not ordered by bucket"));

    PartRecord part;
    part.number = 0;
    CHECK_THROWS_AS(encode(part), MetaError);
    part.number = 2;
    part.size = 10;  // no chunks for its 10 bytes
    CHECK_THROWS_WITH(encode(part), Catch::Contains("the chunks cover 0 bytes, the size says 10"));

    UploadRecord upload;
    CHECK_THROWS_WITH(encode(upload), Catch::Contains("an upload id of 0 bytes"));
}

TEST_CASE("encoders refuse records that could not be read back", "[meta]") {
    ObjectVersion v;
    v.key = "k";
    v.size = 10;  // and no content
    CHECK_THROWS_WITH(encode(v), Catch::Contains("refusing to write an inconsistent object version record"));
    v.inline_data = std::string(10, 'x');
    CHECK_NOTHROW(encode(v));
    v.key.clear();
    CHECK_THROWS_AS(encode(v), MetaError);
    KeyRecord k;
    k.access_key = "AK";
    k.grants = {KeyGrant{5, 1}, KeyGrant{5, 2}};
    CHECK_THROWS_AS(encode(k), MetaError);
}
