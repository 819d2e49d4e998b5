#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/hash/encoding.hpp"
#include "core/hash/md5.hpp"
#include "core/hash/sha1.hpp"
#include "core/hash/sha256.hpp"

using namespace shoal::hash;

namespace {

const std::string kMillionA(1'000'000, 'a');
constexpr std::string_view kTwoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

// Feeds `data` in pieces of `step` bytes.
template <class Hash>
typename Hash::Digest hash_in_pieces(std::string_view data, std::size_t step) {
    Hash h;
    for (std::size_t i = 0; i < data.size(); i += step) h.update(data.substr(i, step));
    return h.finish();
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-4 / NIST vectors", "[hash]") {
    CHECK(hex_encode(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex_encode(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex_encode(sha256(kTwoBlocks)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex_encode(sha256(kMillionA)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 streams: any split gives the one-shot digest", "[hash]") {
    for (std::size_t step : {1u, 3u, 63u, 64u, 65u, 4096u}) {
        CHECK(hash_in_pieces<Sha256>(kMillionA.substr(0, 20000), step) == sha256(kMillionA.substr(0, 20000)));
    }
    // Byte spans hash like the same characters.
    const std::vector<std::byte> bytes{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}};
    CHECK(sha256(std::span<const std::byte>(bytes)) == sha256("abc"));
}

TEST_CASE("SHA-256 finish() restarts, and a copy snapshots the state", "[hash]") {
    Sha256 h;
    h.update("ab");
    Sha256 branch = h;
    h.update("c");
    CHECK(h.finish() == sha256("abc"));
    CHECK(h.finish() == sha256(""));  // restarted
    branch.update("x");
    CHECK(branch.finish() == sha256("abx"));
    Sha256 assigned;
    assigned.update("zzz");
    assigned = branch;  // branch was restarted by finish()
    assigned.update("abc");
    CHECK(assigned.finish() == sha256("abc"));
}

TEST_CASE("MD5 matches the RFC 1321 vectors", "[hash]") {
    CHECK(hex_encode(md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(hex_encode(md5("abc")) == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hex_encode(md5("message digest")) == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(hex_encode(md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")) ==
          "57edf4a22be3c955ac49da2e2107b67a");
    CHECK(hex_encode(hash_in_pieces<Md5>(kMillionA, 997)) == "7707d6ae4e027c70eea2a935c2296f21");
    Md5 copy_source;
    copy_source.update("message ");
    Md5 copy = copy_source;
    CHECK(hex_encode(copy.update("digest").finish()) == "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST_CASE("SHA-1 matches the FIPS 180 vectors", "[hash]") {
    CHECK(hex_encode(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hex_encode(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hex_encode(sha1(kTwoBlocks)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hex_encode(hash_in_pieces<Sha1>(kMillionA, 4096)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    Sha1 h;
    h.update("a");
    CHECK(h.finish() != h.finish());  // "a" then "": finish() restarts
}
