// Erasure-coded content end to end at the byte level: a stream cut into
// segments, encoded into k + m fragment files, read back whole or by range
// with up to m files lost.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/ec/segment_encoder.hpp"
#include "core/ec/segment_layout.hpp"

using namespace shoal::ec;

namespace {

std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng());
    return out;
}

// The k + m fragment files of `content`, fed to the encoder in odd pieces.
std::vector<std::string> encode_files(const SegmentLayout& layout, const std::string& content, std::size_t piece) {
    std::vector<std::string> files(static_cast<std::size_t>(layout.codec().k() + layout.codec().m()));
    SegmentEncoder encoder(layout);
    auto append = [&](const std::vector<std::span<const char>>& fragments) {
        REQUIRE(fragments.size() == files.size());
        for (std::size_t i = 0; i < files.size(); ++i) files[i].append(fragments[i].data(), fragments[i].size());
    };
    std::span<const char> rest(content);
    while (!rest.empty()) {
        const std::size_t n = encoder.add(rest.first(std::min(piece, rest.size())));
        rest = rest.subspan(n);
        if (encoder.full()) append(encoder.encode());
    }
    if (!encoder.empty()) append(encoder.encode());
    return files;
}

// Segment `s` rebuilt from the files, with the files in `lost` unreadable.
std::string read_segment(const SegmentLayout& layout, const std::vector<std::string>& files, std::uint64_t content_bytes,
                         std::uint64_t s, const std::vector<int>& lost) {
    const std::uint32_t length = layout.segment_length(content_bytes, s);
    const std::size_t f = layout.fragment_bytes(length);
    std::vector<std::string> fragments;
    std::vector<char*> pointers;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const bool gone = std::find(lost.begin(), lost.end(), static_cast<int>(i)) != lost.end();
        fragments.push_back(gone ? std::string(f, '\0') : files[i].substr(layout.fragment_offset(s), f));
        REQUIRE(fragments.back().size() == f);
    }
    for (auto& fragment : fragments) pointers.push_back(fragment.data());
    layout.codec().decode(pointers, lost, f);
    std::string segment;
    for (int i = 0; i < layout.codec().k(); ++i) segment += fragments[static_cast<std::size_t>(i)];
    return segment.substr(0, length);
}

}  // namespace

TEST_CASE("content survives the loss of any m fragment files, whole and by range", "[ec]") {
    const auto [k, m, segment_bytes] = GENERATE(std::tuple{4, 2, 1000u}, std::tuple{2, 1, 64u}, std::tuple{3, 2, 4096u});
    const ReedSolomon codec(k, m, RsAlgorithm::vandermonde);
    const SegmentLayout layout(codec, segment_bytes);
    for (const std::uint64_t size : {std::uint64_t{1}, std::uint64_t{segment_bytes} - 1, std::uint64_t{segment_bytes},
                                     std::uint64_t{segment_bytes} + 1, std::uint64_t{segment_bytes} * 3 + 17}) {
        CAPTURE(k, m, segment_bytes, size);
        const std::string content = random_bytes(size, static_cast<std::uint32_t>(size));
        const std::vector<std::string> files = encode_files(layout, content, 333);
        for (const std::string& file : files) CHECK(file.size() == layout.fragment_file_bytes(size));
        CHECK(layout.segment_count(size) == (size + segment_bytes - 1) / segment_bytes);

        // Whole content, with the first m files lost, then the last m.
        for (const bool last : {false, true}) {
            std::vector<int> lost;
            for (int i = 0; i < m; ++i) lost.push_back(last ? k + m - 1 - i : i);
            std::string whole;
            for (std::uint64_t s = 0; s < layout.segment_count(size); ++s) {
                whole += read_segment(layout, files, size, s, lost);
            }
            CHECK(whole == content);
        }

        // Ranges: the pieces cover exactly the range, segment by segment, and
        // with nothing lost each byte is where data_fragments_of() says.
        std::mt19937 rng(7);
        for (int round = 0; round < 40; ++round) {
            const std::uint64_t offset = rng() % size;
            const std::uint64_t length = 1 + rng() % (size - offset);
            std::string got;
            for (const auto& piece : layout.pieces_of(size, offset, length)) {
                const std::string segment = read_segment(layout, files, size, piece.segment, {});
                CHECK(piece.segment_length == segment.size());
                got += segment.substr(piece.first, piece.length);
                const auto [first, last_fragment] = layout.data_fragments_of(piece.segment_length, piece.first, piece.length);
                const std::size_t f = layout.fragment_bytes(piece.segment_length);
                CHECK(static_cast<std::uint64_t>(first) * f <= piece.first);
                CHECK(static_cast<std::uint64_t>(last_fragment + 1) * f >= std::uint64_t{piece.first} + piece.length);
                CHECK(last_fragment < k);
            }
            CHECK(got == content.substr(offset, length));
        }
    }
}

TEST_CASE("the layout refuses what lies outside the content", "[ec]") {
    const ReedSolomon codec(4, 2, RsAlgorithm::vandermonde);
    CHECK_THROWS_AS(SegmentLayout(codec, 0), EcError);
    const SegmentLayout layout(codec, 1 << 20);
    CHECK(layout.full_fragment_bytes() == 262144);
    CHECK(layout.segment_count(0) == 0);
    CHECK(layout.fragment_file_bytes(0) == 0);
    CHECK(layout.fragment_file_bytes((3u << 20) + 1) == 3 * 262144 + 16);
    CHECK_THROWS_AS(layout.segment_length(100, 1), EcError);
    CHECK_THROWS_AS(layout.pieces_of(100, 50, 51), EcError);
    CHECK(layout.pieces_of(100, 100, 0).empty());
    CHECK_THROWS_AS(layout.data_fragments_of(100, 90, 11), EcError);
    SegmentEncoder encoder(layout);
    CHECK(encoder.empty());
    CHECK_THROWS_AS(encoder.encode(), EcError);
}
