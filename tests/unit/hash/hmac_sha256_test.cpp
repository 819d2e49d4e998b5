#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/hash/encoding.hpp"
#include "core/hash/hmac_sha256.hpp"

using namespace shoal::hash;

namespace {

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("HMAC-SHA-256 matches the RFC 4231 test cases", "[hash]") {
    // Test case 1
    CHECK(hex_encode(hmac_sha256(repeat('\x0b', 20), "Hi There")) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    // Test case 2: a key shorter than the output
    CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // Test case 3
    CHECK(hex_encode(hmac_sha256(repeat('\xaa', 20), repeat('\xdd', 50))) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    // Test case 4: a binary key given as bytes
    std::vector<std::uint8_t> key4;
    for (std::uint8_t i = 1; i <= 25; ++i) key4.push_back(i);
    CHECK(hex_encode(hmac_sha256(std::span<const std::uint8_t>(key4), repeat('\xcd', 50))) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    // Test case 6: a key larger than the block size
    CHECK(hex_encode(hmac_sha256(repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    // Test case 7: key and data larger than the block size
    CHECK(hex_encode(hmac_sha256(repeat('\xaa', 131),
                                 "This is a test using a larger than block-size key and a larger than block-size "
                                 "data. The key needs to be hashed before being used by the HMAC algorithm.")) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA-256 streams, restarts with the same key and moves", "[hash]") {
    HmacSha256 mac("Jefe");
    mac.update("what do ya ").update("want for ").update("nothing?");
    const auto expected = hmac_sha256("Jefe", "what do ya want for nothing?");
    CHECK(mac.finish() == expected);
    mac.update("what do ya want for nothing?");
    CHECK(mac.finish() == expected);  // same key after finish()

    HmacSha256 moved = std::move(mac);
    moved.update("what do ya want for nothing?");
    CHECK(moved.finish() == expected);
    HmacSha256 other("other key");
    other = std::move(moved);
    other.update("what do ya want for nothing?");
    CHECK(other.finish() == expected);
}
