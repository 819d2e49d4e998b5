// ErasureGroupReader on its own, over the fragment files an EC upload wrote:
// reads stop at segment ends and return the content; a fragment that is
// missing, never written, damaged, of the wrong size or another index is
// decoded past and named in bad_chunks(); with fewer than k usable the
// error names the object, the segment and each fragment's drive.
#include <catch2/catch.hpp>

#include "core/chunk/chunk_reader.hpp"
#include "core/ec/segment_layout.hpp"
#include "core/engine/erasure_group_reader.hpp"
#include "chunk/chunk_test_util.hpp"
#include "engine/engine_node.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::bytes_of;

namespace {

constexpr std::uint64_t kSegment = 16 * 1024;

struct Group {
    std::vector<meta::ChunkRef> refs;  // the first group's, in piece order
    std::string content;               // its content bytes
    std::uint32_t segment_size = 0;
};

Group write_group(EngineNode& node, const std::string& policy, std::uint64_t size) {
    const std::string body = bytes_of(size, static_cast<std::uint32_t>(size));
    const meta::ObjectVersion v = node.put("coded", body, policy);
    Group g;
    g.refs = testing::by_chunk(v.chunks).begin()->second;
    std::sort(g.refs.begin(), g.refs.end(), [](const auto& a, const auto& b) { return a.piece < b.piece; });
    g.content = body.substr(0, g.refs[0].length);
    g.segment_size = v.segment_size;
    return g;
}

// Reads [offset, offset + length) of the group in reader-sized steps.
std::string read_all(engine::ErasureGroupReader& reader, std::uint64_t offset, std::uint64_t length) {
    std::string out(length, '\0');
    for (std::uint64_t at = 0; at < length;) {
        const std::size_t n = reader.read(offset + at, static_cast<std::size_t>(length - at), out.data() + at);
        REQUIRE(n > 0);
        // Never past the end of the segment holding the offset.
        const std::uint64_t segment_end = ((offset + at) / kSegment + 1) * kSegment;
        REQUIRE(offset + at + n <= segment_end);
        at += n;
    }
    return out;
}

// A ref to piece `piece` of the group, on `drive`, whose file holds the first
// `bytes` of `source`'s data and says it is fragment `fragment`: a misplaced
// or truncated piece.
meta::ChunkRef forged(EngineNode& node, const meta::ChunkRef& source, std::size_t drive, std::uint32_t piece,
                      std::uint8_t fragment, std::uint64_t bytes) {
    chunk::ChunkReader reader = chunk::ChunkReader::open(node.path(node.index_of(source.drive)),
                                                         *chunk::ChunkId::parse(source.chunk_id));
    std::string data(bytes, '\0');
    reader.read(0, bytes, data.data());
    chunk::ChunkStore store(node.path(drive));
    chunk::ChunkCodec codec = reader.header().codec;
    codec.fragment = fragment;
    chunk::ChunkWriter writer = store.create(chunk::ChunkId::random(), reader.header().owner, codec);
    writer.append(data);
    const chunk::ChunkInfo info = writer.finish();
    return meta::ChunkRef{info.id.to_string(), node.id(drive), source.offset, source.length, piece};
}

}  // namespace

TEST_CASE("a healthy group reads back by segments, from the data fragments only", "[engine]") {
    EngineNode node(6);
    const Group g = write_group(node, "EC4+2", 3 * kSegment + 1000);
    const auto& codec = node.store().codec(*ec::StoragePolicy::parse("EC4+2"));
    // Parity fragments gone: a healthy read never needs them.
    std::filesystem::remove(node.file_of(g.refs[4]));
    std::filesystem::remove(node.file_of(g.refs[5]));
    engine::ErasureGroupReader reader(node.store(), "bucket/coded", g.refs, codec, g.segment_size);
    CHECK(read_all(reader, 0, g.content.size()) == g.content);
    for (const std::uint64_t at : {std::uint64_t{1}, kSegment - 1, kSegment, 2 * kSegment + 17}) {
        CHECK(read_all(reader, at, g.content.size() - at) == g.content.substr(at));
    }
    CHECK_FALSE(reader.degraded());
    CHECK(reader.bad_chunks().empty());
    // From the page cache, when the kernel can tell: the same bytes, or nothing.
    std::string cached(100, '\0');
    const std::size_t n = reader.read_if_cached(kSegment + 5, 100, cached.data());
    CHECK((n == 0 || cached.substr(0, n) == g.content.substr(kSegment + 5, n)));
}

TEST_CASE("a fragment missing, never written, damaged, truncated or of another index is decoded past", "[engine]") {
    EngineNode node(6);
    const Group g = write_group(node, "EC4+2", 4 * kSegment);
    const auto& codec = node.store().codec(*ec::StoragePolicy::parse("EC4+2"));
    const std::size_t fragment_file = std::filesystem::file_size(node.file_of(g.refs[1]));
    SECTION("missing") { std::filesystem::remove(node.file_of(g.refs[1])); }
    SECTION("damaged") { testing::flip_byte(node.file_of(g.refs[1]), fragment_file - 100); }
    SECTION("truncated, its header saying so") {
        const auto data_bytes = chunk::ChunkReader::open(node.path(node.index_of(g.refs[1].drive)),
                                                         *chunk::ChunkId::parse(g.refs[1].chunk_id)).size();
        auto refs = g.refs;
        refs[1] = forged(node, g.refs[1], node.index_of(g.refs[1].drive), 1, 1, data_bytes - 16);
        engine::ErasureGroupReader reader(node.store(), "bucket/coded", refs, codec, g.segment_size);
        CHECK(read_all(reader, 0, g.content.size()) == g.content);
        CHECK(reader.bad_chunks() == std::vector<std::string>{refs[1].chunk_id});
        CHECK(node.log().has("expected fragment 1 of 4+2"));
        return;
    }
    SECTION("another fragment's file under this one's ref") {
        auto refs = g.refs;
        const auto data_bytes = chunk::ChunkReader::open(node.path(node.index_of(g.refs[2].drive)),
                                                         *chunk::ChunkId::parse(g.refs[2].chunk_id)).size();
        refs[1] = forged(node, g.refs[2], node.index_of(g.refs[1].drive), 1, 2, data_bytes);
        engine::ErasureGroupReader reader(node.store(), "bucket/coded", refs, codec, g.segment_size);
        CHECK(read_all(reader, 0, g.content.size()) == g.content);  // never fragment 2's bytes as fragment 1's
        CHECK(reader.bad_chunks() == std::vector<std::string>{refs[1].chunk_id});
        CHECK(node.log().has("found fragment 2 of 4+2"));
        return;
    }
    SECTION("never written (its drive failed during the upload)") {
        std::vector<meta::ChunkRef> refs = g.refs;
        refs.erase(refs.begin() + 1);
        engine::ErasureGroupReader reader(node.store(), "bucket/coded", refs, codec, g.segment_size);
        CHECK(read_all(reader, 0, g.content.size()) == g.content);
        CHECK(reader.degraded());
        CHECK(reader.bad_chunks().empty());  // no chunk to name
        return;
    }
    engine::ErasureGroupReader reader(node.store(), "bucket/coded", g.refs, codec, g.segment_size);
    CHECK(read_all(reader, 0, g.content.size()) == g.content);
    CHECK(reader.degraded());
    CHECK(reader.bad_chunks() == std::vector<std::string>{g.refs[1].chunk_id});
    CHECK(node.log().has("chunk fragment unreadable, decoding from the others"));
}

TEST_CASE("with fewer than k usable fragments a read fails naming the object, segment and drives", "[engine]") {
    EngineNode node(3);
    const Group g = write_group(node, "EC2+1", 2 * kSegment);
    const auto& codec = node.store().codec(*ec::StoragePolicy::parse("EC2+1"));
    std::filesystem::remove(node.file_of(g.refs[0]));
    testing::flip_byte(node.file_of(g.refs[2]), 200);  // in its first block: segment 0
    engine::ErasureGroupReader reader(node.store(), "bucket/coded", g.refs, codec, g.segment_size);
    std::string out(10, '\0');
    try {
        reader.read(0, 10, out.data());
        FAIL("read with one usable fragment of two needed");
    } catch (const engine::ObjectUnreadable& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("object bucket/coded: segment 0"));
        CHECK_THAT(what, Catch::Contains("needs 2 readable fragments, only 1 are left"));
        CHECK_THAT(what, Catch::Contains("fragment 0 on drive " + node.path(node.index_of(g.refs[0].drive)).string()));
        CHECK_THAT(what, Catch::Contains("fragment 2 on drive " + node.path(node.index_of(g.refs[2].drive)).string()));
    }
    CHECK(out == std::string(10, '\0'));  // nothing unchecked handed out
}
