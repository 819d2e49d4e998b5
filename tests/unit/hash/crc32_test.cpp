#include <catch2/catch.hpp>

#include <string>

#include "core/hash/crc32.hpp"
#include "core/hash/encoding.hpp"

using namespace shoal::hash;

TEST_CASE("CRC-32 matches the standard check values", "[hash]") {
    CHECK(crc32("") == 0u);
    CHECK(crc32("123456789") == 0xCBF43926u);  // the CRC catalogue's check value
    CHECK(crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
    std::string all_bytes;
    for (int round = 0; round < 40; ++round) {
        for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
    }
    CHECK(crc32(all_bytes) == 0xBBCE3B9Du);
}

TEST_CASE("CRC-32 streams with any split and alignment", "[hash]") {
    std::string data;
    for (int i = 0; i < 10000; ++i) data += static_cast<char>(i * 31 + 7);
    const std::uint32_t whole = crc32(data);
    for (std::size_t step : {1u, 2u, 7u, 8u, 9u, 1000u}) {
        Crc32 c;
        for (std::size_t i = 0; i < data.size(); i += step) c.update(std::string_view(data).substr(i, step));
        CHECK(c.value() == whole);
    }
    // Starting at an odd address changes nothing.
    CHECK(crc32(std::string_view(data).substr(3)) == Crc32().update(std::string_view(data).substr(3)).value());
    Crc32 c;
    c.update("1234");
    c.reset();
    c.update("123456789");
    CHECK(c.value() == 0xCBF43926u);
}

TEST_CASE("CRC-32 digest is big-endian, as x-amz-checksum-crc32 carries it", "[hash]") {
    Crc32 c;
    c.update("123456789");
    const auto d = c.digest();
    CHECK(hex_encode(std::span<const std::uint8_t>(d)) == "cbf43926");
    CHECK(base64_encode(std::span<const std::uint8_t>(d)) == "y/Q5Jg==");
    CHECK(base64_encode(std::span<const std::uint8_t>(Crc32().digest())) == "AAAAAA==");
}
