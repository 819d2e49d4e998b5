#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/hash/encoding.hpp"

using namespace shoal::hash;

namespace {

std::string as_string(const std::optional<std::vector<std::uint8_t>>& bytes) {
    REQUIRE(bytes.has_value());
    return std::string(bytes->begin(), bytes->end());
}

}  // namespace

TEST_CASE("hex encodes lowercase and decodes either case (RFC 4648 base16 vectors)", "[hash]") {
    CHECK(hex_encode("") == "");
    CHECK(hex_encode("foobar") == "666f6f626172");
    CHECK(hex_encode(std::string("\x00\xff\x10", 3)) == "00ff10");
    CHECK(as_string(hex_decode("666F6F626172")) == "foobar");
    CHECK(as_string(hex_decode("666f6f626172")) == "foobar");
    CHECK(as_string(hex_decode("")) == "");
}

TEST_CASE("hex decoding rejects odd lengths and non-digits", "[hash]") {
    CHECK_FALSE(hex_decode("abc").has_value());
    CHECK_FALSE(hex_decode("zz").has_value());
    CHECK_FALSE(hex_decode("0g").has_value());
    CHECK_FALSE(hex_decode(" 0").has_value());
    CHECK_FALSE(hex_decode("0x00").has_value());

    std::array<std::uint8_t, 2> out{};
    CHECK(hex_decode_into("beef", out));
    CHECK(out == std::array<std::uint8_t, 2>{0xbe, 0xef});
    CHECK_FALSE(hex_decode_into("bee", out));
    CHECK_FALSE(hex_decode_into("beefbeef", out));
    CHECK_FALSE(hex_decode_into("be-f", out));
}

TEST_CASE("base64 matches the RFC 4648 section 10 vectors both ways", "[hash]") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        CHECK(base64_encode(std::string_view(plain)) == encoded);
        CHECK(as_string(base64_decode(encoded)) == plain);
    }
    // Every byte value, and the two alphabet characters beyond alphanumerics.
    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    CHECK(as_string(base64_decode(base64_encode(all))) == all);
    CHECK(base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("base64 decoding rejects garbage", "[hash]") {
    CHECK_FALSE(base64_decode("Zg=").has_value());       // length not a multiple of 4
    CHECK_FALSE(base64_decode("Zg").has_value());        // padding missing
    CHECK_FALSE(base64_decode("Zm9v!A==").has_value());  // outside the alphabet
    CHECK_FALSE(base64_decode("Zm-_").has_value());      // base64url is a different alphabet
    CHECK_FALSE(base64_decode("Z===").has_value());      // too much padding
    CHECK_FALSE(base64_decode("====").has_value());
    CHECK_FALSE(base64_decode("Zg==Zg==").has_value());  // padding in the middle
    CHECK_FALSE(base64_decode("Zm=v").has_value());
    CHECK_FALSE(base64_decode("Zh==").has_value());      // non-zero padding bits ("Zg==" is canonical)
    CHECK_FALSE(base64_decode("Zm9=").has_value());      // ("Zm8=" is canonical)
    CHECK_FALSE(base64_decode("Zm9v\n").has_value());    // no whitespace skipping
}
