#include <catch2/catch.hpp>

#include <variant>

#include "core/chunk/chunk_format.hpp"
#include "core/hash/crc32c.hpp"

using namespace shoal::chunk;
using Catch::Matchers::Contains;

namespace {

ChunkHeader sample_header() {
    ChunkHeader h;
    h.id = *ChunkId::parse("000102030405060708090a0b0c0d0e0f");
    h.data_length = 0x0102030405ull;
    h.block_size = 65536;
    h.data_crc32c = 0xdeadbeef;
    h.owner = ChunkOwner{"photos", "2026/11/25/IMG_0001.jpg", "v7", 3, 9, 0x1122334455ull};
    h.codec = ChunkCodec{"EC6+3", 6, 3, 7, 1 << 20};
    return h;
}

std::uint64_t le(const std::string& s, std::size_t at, int width) {
    std::uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
    return v;
}

DecodedHeader decode_ok(const std::string& bytes) {
    auto result = decode_header(bytes);
    if (auto* why = std::get_if<std::string>(&result)) FAIL("decode failed: " << *why);
    return std::get<DecodedHeader>(result);
}

std::string decode_error(const std::string& bytes) {
    auto result = decode_header(bytes);
    if (std::holds_alternative<DecodedHeader>(result)) return "(decoded)";
    return std::get<std::string>(result);
}

void reseal(std::string& bytes) {
    const std::size_t n = bytes.size() - 4;
    const std::uint32_t crc = shoal::hash::crc32c(bytes.data(), n);
    for (int i = 0; i < 4; ++i) bytes[n + static_cast<std::size_t>(i)] = static_cast<char>(crc >> (8 * i));
}

}  // namespace

TEST_CASE("chunk headers encode and decode back", "[chunk]") {
    const ChunkHeader h = sample_header();
    REQUIRE(validate_header(h).empty());
    const std::string bytes = encode_header(h);
    CHECK(bytes.size() == encoded_header_size(h));
    const DecodedHeader d = decode_ok(bytes);
    CHECK(d.header == h);
    CHECK(d.header_size == bytes.size());
    // Decoding ignores whatever follows the header (the first data block).
    CHECK(decode_ok(bytes + std::string(100, 'x')).header == h);
}

TEST_CASE("chunk header fields sit where docs/chunk-format.md says", "[chunk]") {
    const ChunkHeader h = sample_header();
    const std::string b = encode_header(h);
    const std::size_t variable = 2 + 6 + 2 + 23 + 2 + 2 + 2 + 5;  // bucket, key, version, policy with lengths
    REQUIRE(b.size() == 72 + variable + 4);
    CHECK(b.substr(0, 8) == "SHOALCK1");
    CHECK(le(b, 8, 2) == 1);                 // format version
    CHECK(le(b, 10, 2) == 0);                // flags
    CHECK(le(b, 12, 4) == b.size());         // header length
    CHECK(le(b, 16, 1) == 0x00);             // chunk id, 16 raw bytes
    CHECK(le(b, 31, 1) == 0x0f);
    CHECK(le(b, 32, 8) == 0x0102030405ull);  // data length
    CHECK(le(b, 40, 4) == 65536);            // block size
    CHECK(le(b, 44, 4) == 0xdeadbeef);       // data CRC-32C
    CHECK(le(b, 48, 8) == 0x1122334455ull);  // offset in object
    CHECK(le(b, 56, 4) == 3);                // part number
    CHECK(le(b, 60, 4) == 9);                // chunk index
    CHECK(le(b, 64, 1) == 6);                // k
    CHECK(le(b, 65, 1) == 3);                // m
    CHECK(le(b, 66, 1) == 7);                // fragment
    CHECK(le(b, 67, 1) == 0);                // reserved
    CHECK(le(b, 68, 4) == 1u << 20);         // segment size
    CHECK(le(b, 72, 2) == 6);
    CHECK(b.substr(74, 6) == "photos");
    CHECK(le(b, 80, 2) == 23);
    CHECK(b.substr(82, 23) == "2026/11/25/IMG_0001.jpg");
    CHECK(le(b, 105, 2) == 2);
    CHECK(b.substr(107, 2) == "v7");
    CHECK(le(b, 109, 2) == 5);
    CHECK(b.substr(111, 5) == "EC6+3");
    CHECK(le(b, 116, 4) == shoal::hash::crc32c(b.data(), 116));  // header CRC-32C
}

TEST_CASE("damaged or foreign headers are refused with a reason", "[chunk]") {
    const std::string good = encode_header(sample_header());
    CHECK_THAT(decode_error(good.substr(0, 50)), Contains("too short"));
    CHECK_THAT(decode_error(good.substr(0, good.size() - 1)), Contains("beyond the end"));

    std::string b = good;
    b[0] = 'X';
    CHECK_THAT(decode_error(b), Contains("bad magic"));

    b = good;
    b[8] = 2;
    CHECK_THAT(decode_error(b), Contains("unsupported chunk format version 2"));

    for (std::size_t at : {std::size_t{12}, std::size_t{20}, std::size_t{33}, std::size_t{90}, good.size() - 1}) {
        b = good;
        b[at] = static_cast<char>(b[at] ^ 0x01);
        CAPTURE(at);
        CHECK(std::holds_alternative<std::string>(decode_header(b)));
    }
    b = good;
    b[90] = static_cast<char>(b[90] ^ 0x20);
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));

    b = good;  // an unknown feature flag, correctly sealed, is still refused
    b[10] = 1;
    reseal(b);
    CHECK_THAT(decode_error(b), Contains("unsupported header flags"));

    b = good;  // a string length running past the header
    b[72] = 100;
    reseal(b);
    CHECK_THAT(decode_error(b), Contains("malformed owner section"));
}

TEST_CASE("bytes between the known fields and the header CRC are ignored", "[chunk]") {
    const ChunkHeader h = sample_header();
    std::string b = encode_header(h);
    b.insert(b.size() - 4, "future");
    const auto size = static_cast<std::uint32_t>(b.size());
    for (int i = 0; i < 4; ++i) b[12 + static_cast<std::size_t>(i)] = static_cast<char>(size >> (8 * i));
    reseal(b);
    const DecodedHeader d = decode_ok(b);
    CHECK(d.header == h);
    CHECK(d.header_size == size);
}

TEST_CASE("header validation enforces the limits", "[chunk]") {
    ChunkHeader h = sample_header();
    h.owner.key = std::string(1024, 'k');
    CHECK(validate_header(h).empty());
    h.owner.key += "k";
    CHECK_THAT(validate_header(h), Contains("key longer than 1024"));
    h = sample_header();
    h.block_size = 511;
    CHECK_THAT(validate_header(h), Contains("block size 511"));
    h.block_size = 16 * 1024 * 1024 + 1;
    CHECK_THAT(validate_header(h), Contains("block size"));
    h = sample_header();
    h.id = ChunkId();
    CHECK_THAT(validate_header(h), Contains("nil"));
    h = sample_header();
    h.codec.fragment = 9;
    CHECK_THAT(validate_header(h), Contains("fragment 9"));
    h.codec = ChunkCodec{};
    CHECK(validate_header(h).empty());
    h.codec.k = 0;
    CHECK_THAT(validate_header(h), Contains("k is 0"));
    h = sample_header();
    h.owner.bucket = std::string(256, 'b');
    CHECK_THAT(validate_header(h), Contains("bucket"));
}

TEST_CASE("the block layout arithmetic", "[chunk]") {
    CHECK(block_count(0, 1024) == 0);
    CHECK(block_count(1, 1024) == 1);
    CHECK(block_count(1024, 1024) == 1);
    CHECK(block_count(1025, 1024) == 2);
    CHECK(chunk_file_size(100, 0, 1024) == 100);
    CHECK(chunk_file_size(100, 1025, 1024) == 100 + 1025 + 8);
    CHECK(block_file_offset(100, 1024, 0) == 100);
    CHECK(block_file_offset(100, 1024, 2) == 100 + 2 * 1028);
    CHECK(block_length(1025, 1024, 0) == 1024);
    CHECK(block_length(1025, 1024, 1) == 1);
    // Beyond 4 GiB on every target (32-bit ARM included).
    CHECK(block_file_offset(100, 65536, 100'000) == 100 + 100'000ull * 65540);
    CHECK(chunk_file_size(100, 5ull << 30, 1 << 20) == 100 + (5ull << 30) + 4 * 5120);
    // The block check binds data, index and chunk id.
    const ChunkId a = *ChunkId::parse("000102030405060708090a0b0c0d0e0f");
    const ChunkId b = *ChunkId::parse("000102030405060708090a0b0c0d0e1f");
    const std::uint32_t crc = shoal::hash::crc32c("abc", 3);
    CHECK(block_check(crc, 0, a) != block_check(crc, 1, a));
    CHECK(block_check(crc, 0, a) != block_check(crc, 0, b));
    const std::string expected = std::string("abc") + std::string("\0\0\0\0\0\0\0\0", 8) +
                                 std::string(reinterpret_cast<const char*>(a.bytes().data()), 16);
    CHECK(block_check(crc, 0, a) == shoal::hash::crc32c(expected.data(), expected.size()));
}

TEST_CASE("objects are described for error messages", "[chunk]") {
    CHECK(describe_object(ChunkOwner{"b", "k/x", "v1", 0, 2, 0}) == "b/k/x (version v1, chunk 2)");
    CHECK(describe_object(ChunkOwner{"b", "k", "", 4, 0, 0}) == "b/k (version -, part 4, chunk 0)");
}
