// Reed-Solomon over Jerasure: every set of up to m lost fragments comes back
// bit-exact, more than m is refused, and the parity bytes are fixed by
// (k, m, algorithm) alone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/ec/reed_solomon.hpp"
#include "core/hash/crc32c.hpp"

using namespace shoal::ec;
using Catch::Matchers::Contains;

namespace {

// k + m fragments of one segment: the data zero-padded over the first k.
struct Stripe {
    std::size_t fragment_bytes;
    std::vector<std::string> fragments;
    std::vector<char*> pointers;

    Stripe(const ReedSolomon& rs, const std::string& segment) : fragment_bytes(rs.fragment_size(segment.size())) {
        const auto total = static_cast<std::size_t>(rs.k() + rs.m());
        fragments.assign(total, std::string(fragment_bytes, '\0'));
        for (std::size_t at = 0, i = 0; at < segment.size(); at += fragment_bytes, ++i) {
            fragments[i].replace(0, std::min(fragment_bytes, segment.size() - at), segment, at, fragment_bytes);
        }
        for (auto& f : fragments) pointers.push_back(f.data());
    }
};

std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng());
    return out;
}

// Calls f(missing) for every subset of [0, n) with at most `most` members.
template <typename F>
void for_each_subset(int n, int most, F&& f) {
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        std::vector<int> members;
        for (int i = 0; i < n; ++i) {
            if ((mask >> i & 1u) != 0) members.push_back(i);
        }
        if (static_cast<int>(members.size()) <= most) f(members);
    }
}

}  // namespace

TEST_CASE("every loss of up to m fragments is rebuilt bit-exact", "[ec]") {
    const auto algorithm = GENERATE(RsAlgorithm::vandermonde, RsAlgorithm::cauchy);
    const auto [k, m] = GENERATE(std::pair{2, 1}, std::pair{4, 2}, std::pair{6, 3}, std::pair{8, 4});
    CAPTURE(to_string(algorithm), k, m);
    const ReedSolomon rs(k, m, algorithm);
    // Not a multiple of k or of the alignment: the last fragment is padded.
    const std::string segment = random_bytes(static_cast<std::size_t>(k) * rs.alignment() * 2 + 1000, 7);
    Stripe encoded(rs, segment);
    rs.encode(encoded.pointers, encoded.fragment_bytes);

    std::size_t cases = 0;
    for_each_subset(k + m, m, [&](const std::vector<int>& missing) {
        Stripe damaged = encoded;
        damaged.pointers.clear();
        for (auto& f : damaged.fragments) damaged.pointers.push_back(f.data());
        for (int i : missing) damaged.fragments[static_cast<std::size_t>(i)].assign(damaged.fragment_bytes, '\x5a');
        rs.decode(damaged.pointers, missing, damaged.fragment_bytes);
        if (damaged.fragments != encoded.fragments) FAIL("fragments not rebuilt, missing " << missing.size());
        ++cases;
    });
    CHECK(cases > static_cast<std::size_t>(k + m));

    // The data fragments are the segment itself (systematic code).
    std::string joined;
    for (int i = 0; i < k; ++i) joined += encoded.fragments[static_cast<std::size_t>(i)];
    CHECK(joined.substr(0, segment.size()) == segment);
    CHECK(joined.find_first_not_of('\0', segment.size()) == std::string::npos);
}

TEST_CASE("decode_data rebuilds only the lost data fragments, from the first k others", "[ec]") {
    const auto algorithm = GENERATE(RsAlgorithm::vandermonde, RsAlgorithm::cauchy);
    // (Plain ints, not a structured binding: clang 14 cannot capture those.)
    const auto code = GENERATE(std::pair{2, 1}, std::pair{4, 2}, std::pair{8, 4});
    const int k = code.first;
    const int m = code.second;
    CAPTURE(to_string(algorithm), k, m);
    const ReedSolomon rs(k, m, algorithm);
    const std::string segment = random_bytes(static_cast<std::size_t>(k) * rs.alignment() + 77, 11);
    Stripe encoded(rs, segment);
    rs.encode(encoded.pointers, encoded.fragment_bytes);
    const std::string garbage(encoded.fragment_bytes, '\x5a');
    for_each_subset(k + m, m, [&](const std::vector<int>& unavailable) {
        Stripe damaged = encoded;
        damaged.pointers.clear();
        for (auto& f : damaged.fragments) damaged.pointers.push_back(f.data());
        for (int i : unavailable) damaged.fragments[static_cast<std::size_t>(i)] = garbage;
        rs.decode_data(damaged.pointers, unavailable, damaged.fragment_bytes);
        for (int i = 0; i < k + m; ++i) {
            const auto index = static_cast<std::size_t>(i);
            const bool lost = std::find(unavailable.begin(), unavailable.end(), i) != unavailable.end();
            // Data comes back; lost parity is left as it was (a read does not need it).
            const std::string& expected = (i >= k && lost) ? garbage : encoded.fragments[index];
            if (damaged.fragments[index] != expected) FAIL("fragment " << i << " wrong, " << unavailable.size() << " lost");
        }
    });
    const std::vector<int> too_many{0, 1, 2, 3, 4};
    if (m < 5) CHECK_THROWS_AS(rs.decode_data(encoded.pointers, too_many, encoded.fragment_bytes), EcError);
}

TEST_CASE("losing more than m fragments is refused, naming the counts", "[ec]") {
    const ReedSolomon rs(4, 2, RsAlgorithm::vandermonde);
    Stripe s(rs, random_bytes(10000, 3));
    rs.encode(s.pointers, s.fragment_bytes);
    const std::vector<int> three{0, 2, 5};
    CHECK_THROWS_WITH(rs.decode(s.pointers, three, s.fragment_bytes),
                      Contains("3 of 6 fragments are missing") && Contains("4+2 rebuilds at most 2"));
    const std::vector<int> repeated{1, 1};
    CHECK_THROWS_AS(rs.decode(s.pointers, repeated, s.fragment_bytes), EcError);
    const std::vector<int> outside{6};
    CHECK_THROWS_AS(rs.decode(s.pointers, outside, s.fragment_bytes), EcError);
    CHECK_THROWS_AS(rs.encode(s.pointers, s.fragment_bytes + 1), EcError);
    CHECK_THROWS_AS(rs.encode(std::span<char* const>(s.pointers).first(5), s.fragment_bytes), EcError);
}

TEST_CASE("codec parameters out of range are refused", "[ec]") {
    CHECK_THROWS_WITH(ReedSolomon(0, 2, RsAlgorithm::vandermonde), Contains("0+2 is out of range"));
    CHECK_THROWS_AS(ReedSolomon(4, 0, RsAlgorithm::cauchy), EcError);
    CHECK_THROWS_AS(ReedSolomon(30, 3, RsAlgorithm::vandermonde), EcError);
    CHECK_NOTHROW(ReedSolomon(16, 16, RsAlgorithm::vandermonde));
}

TEST_CASE("fragment sizes are aligned and cover the segment", "[ec]") {
    for (const auto algorithm : {RsAlgorithm::vandermonde, RsAlgorithm::cauchy}) {
        const ReedSolomon rs(4, 2, algorithm);
        for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{1} << 20,
                                       (std::size_t{1} << 20) + 1}) {
            CAPTURE(to_string(algorithm), size);
            const std::size_t f = rs.fragment_size(size);
            CHECK(f > 0);
            CHECK(f % rs.alignment() == 0);
            CHECK(f * 4 >= size);
            CHECK(f < size / 4 + rs.alignment() + 1);
        }
    }
    CHECK(ReedSolomon(4, 2, RsAlgorithm::vandermonde).fragment_size(1 << 20) == 262144);
}

// Fragments written on one machine must decode on every other: the parity of
// a fixed input is pinned here (the same figures on x86-64, ARMv8 and ARMv7).
TEST_CASE("parity bytes are the same on every build", "[ec]") {
    std::string segment(64 * 1024, '\0');
    for (std::size_t i = 0; i < segment.size(); ++i) segment[i] = static_cast<char>(i * 7 + i / 251);
    struct Pinned {
        RsAlgorithm algorithm;
        std::uint32_t parity_crc;
    };
    for (const Pinned& p : {Pinned{RsAlgorithm::vandermonde, 0xc8c62a9a}, Pinned{RsAlgorithm::cauchy, 0x15dfe68b}}) {
        const ReedSolomon rs(4, 2, p.algorithm);
        Stripe s(rs, segment);
        rs.encode(s.pointers, s.fragment_bytes);
        const std::string parity = s.fragments[4] + s.fragments[5];
        const std::uint32_t crc = shoal::hash::crc32c(parity.data(), parity.size());
        CAPTURE(to_string(p.algorithm));
        CHECK(crc == p.parity_crc);
        // Both matrices start with a row of ones: the first parity fragment
        // is the XOR of the data fragments.
        std::string xored(s.fragment_bytes, '\0');
        for (int i = 0; i < 4; ++i) {
            for (std::size_t b = 0; b < xored.size(); ++b) xored[b] ^= s.fragments[static_cast<std::size_t>(i)][b];
        }
        CHECK(s.fragments[4] == xored);
    }
}
