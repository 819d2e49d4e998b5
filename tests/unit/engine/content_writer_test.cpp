// ContentWriter on its own: the inline threshold, the layout of the pieces
// it writes (what each file's header says, what each ref says), the digests,
// and keep/discard: what it wrote is either the caller's or gone.
#include <catch2/catch.hpp>

#include "core/chunk/chunk_reader.hpp"
#include "core/ec/segment_layout.hpp"
#include "core/engine/content_writer.hpp"
#include "core/hash/md5.hpp"
#include "engine/engine_node.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::StringSource;
using shoal::testing::bytes_of;
using shoal::testing::run;

namespace {

constexpr std::uint64_t kChunk = 64 * 1024;

chunk::ChunkOwner owner_of(const std::string& key) {
    chunk::ChunkOwner owner;
    owner.bucket = "bucket";
    owner.key = key;
    owner.version_id = "0000000000000001";
    return owner;
}

std::string md5_of(const std::string& data) {
    hash::Md5 md5;
    md5.update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
    const auto digest = md5.finish();
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

TEST_CASE("content up to the inline threshold stays in memory, one byte more goes to chunks", "[engine]") {
    EngineNode node(3);
    const auto policy = *ec::StoragePolicy::parse("THREECOPIES");
    for (const std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{4096}, std::uint64_t{4097}}) {
        CAPTURE(size);
        const std::string body = bytes_of(size, 1);
        engine::ContentWriter writer(node.store(), owner_of("k"), policy, 0, 4096, engine::ChecksumAlgorithm::crc32c,
                                     1 << 20);
        StringSource source(body, 1000);
        run(writer.consume(source));
        CHECK(writer.digests().size == size);
        CHECK(writer.digests().md5 == md5_of(body));
        CHECK_FALSE(writer.digests().checksum.empty());
        if (size <= 4096) {
            CHECK(writer.inline_data() == body);
            CHECK(writer.chunks().empty());
            CHECK(node.chunk_files().empty());
        } else {
            CHECK(writer.inline_data().empty());
            CHECK(writer.chunks().size() == 3);
            CHECK(node.chunk_files().size() == 3);
        }
        run(writer.discard());
        CHECK(node.chunk_files().empty());
    }
}

TEST_CASE("each piece is a chunk file whose header and ref say what it is", "[engine]") {
    EngineNode node(6);
    const std::string body = bytes_of(9 * kChunk + 7, 2);
    for (const std::string name : {"SINGLE", "THREECOPIES", "EC4+2"}) {
        CAPTURE(name);
        const auto policy = *ec::StoragePolicy::parse(name);
        const std::uint32_t segment = node.store().segment_size_for(policy);
        engine::ContentWriter writer(node.store(), owner_of(name), policy, segment, 0, engine::ChecksumAlgorithm::none,
                                     1 << 30);
        StringSource source(body, 7000);
        run(writer.consume(source));
        const std::vector<meta::ChunkRef>& refs = writer.chunks();
        const bool erasure = policy.kind == ec::StoragePolicy::Kind::erasure;
        const std::uint64_t unit = erasure ? 4 * kChunk : kChunk;  // content bytes per chunk or group
        std::uint64_t expected_offset = 0;
        std::uint32_t index = 0;
        for (const auto& [offset, pieces] : testing::by_chunk(refs)) {
            CHECK(offset == expected_offset);
            CHECK(static_cast<int>(pieces.size()) == policy.pieces());
            const std::uint64_t length = std::min<std::uint64_t>(unit, body.size() - offset);
            for (const meta::ChunkRef& ref : pieces) {
                CHECK(ref.length == length);
                chunk::ChunkReader reader = chunk::ChunkReader::open(node.path(node.index_of(ref.drive)),
                                                                     *chunk::ChunkId::parse(ref.chunk_id));
                const chunk::ChunkHeader& h = reader.header();
                CHECK(h.owner.key == name);
                CHECK(h.owner.index == index);
                CHECK(h.owner.offset == offset);
                CHECK(h.codec.policy == policy.to_string());
                if (erasure) {
                    CHECK(h.codec.k == 4);
                    CHECK(h.codec.m == 2);
                    CHECK(h.codec.fragment == ref.piece);
                    CHECK(h.codec.segment_size == segment);
                    const ec::SegmentLayout layout(node.store().codec(policy), segment);
                    CHECK(reader.size() == layout.fragment_file_bytes(length));
                } else {
                    CHECK(reader.size() == length);
                    std::string data(length, '\0');
                    reader.read(0, length, data.data());
                    CHECK(data == body.substr(offset, length));
                }
            }
            CHECK(testing::pieces_on_distinct_drives(pieces));
            expected_offset += length;
            ++index;
        }
        CHECK(expected_offset == body.size());
        // Adjacent pieces of a chunk, in content order (what readers bisect).
        for (std::size_t i = 1; i < refs.size(); ++i) CHECK(refs[i - 1].offset <= refs[i].offset);
        writer.keep();
        run(writer.discard());  // kept: nothing removed
        CHECK(node.chunk_files().size() == refs.size());
        for (const std::filesystem::path& f : node.chunk_files()) std::filesystem::remove(f);
    }
}

TEST_CASE("discard removes what was written, finished or pending; too large content is refused", "[engine]") {
    EngineNode node(3);
    const auto policy = *ec::StoragePolicy::parse("TWOCOPIES");
    {
        engine::ContentWriter writer(node.store(), owner_of("k"), policy, 0, 4096, engine::ChecksumAlgorithm::none,
                                     1 << 30);
        StringSource source(bytes_of(5 * kChunk + 3, 3), 5000, 3 * kChunk + 10);  // fails inside chunk 3
        CHECK_THROWS(run(writer.consume(source)));
        CHECK(node.chunk_files().size() == 2 * 3);  // chunks 0-2 finished
        CHECK(node.pending_files() == 2);           // chunk 3 under way
        run(writer.discard());
        CHECK(node.chunk_files().empty());
        CHECK(node.pending_files() == 0);
    }
    {
        engine::ContentWriter writer(node.store(), owner_of("k"), policy, 0, 4096, engine::ChecksumAlgorithm::none,
                                     2 * kChunk);
        StringSource source(bytes_of(3 * kChunk, 4));
        CHECK_THROWS_AS(run(writer.consume(source)), engine::TooLarge);
        run(writer.discard());
        CHECK(node.chunk_files().empty());
        CHECK(node.pending_files() == 0);
    }
}
