#include <catch2/catch.hpp>

#include <set>

#include "core/chunk/chunk_id.hpp"
#include "core/chunk/chunk_paths.hpp"

using namespace shoal::chunk;

TEST_CASE("chunk ids format as 32 lowercase hex digits and parse back", "[chunk]") {
    ChunkId::Bytes bytes;
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(0x10 * i + 0x0f - i);
    const ChunkId id(bytes);
    CHECK(id.to_string() == "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    REQUIRE(ChunkId::parse(id.to_string()));
    CHECK(*ChunkId::parse(id.to_string()) == id);
    CHECK(ChunkId().is_nil());
    CHECK_FALSE(id.is_nil());
    CHECK(ChunkId().to_string() == std::string(32, '0'));
}

TEST_CASE("chunk id parsing accepts one spelling only", "[chunk]") {
    CHECK_FALSE(ChunkId::parse(""));
    CHECK_FALSE(ChunkId::parse("0f1e2d3c4b5a69788796a5b4c3d2e1f"));    // 31
    CHECK_FALSE(ChunkId::parse("0f1e2d3c4b5a69788796a5b4c3d2e1f00"));  // 33
    CHECK_FALSE(ChunkId::parse("0F1E2D3C4B5A69788796A5B4C3D2E1F0"));   // uppercase
    CHECK_FALSE(ChunkId::parse("0f1e2d3c4b5a69788796a5b4c3d2e1fg"));
    CHECK_FALSE(ChunkId::parse("0f1e2d3c4b5a6978.796a5b4c3d2e1f0"));
}

TEST_CASE("random chunk ids differ", "[chunk]") {
    std::set<ChunkId> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(ChunkId::random());
    CHECK(seen.size() == 1000);
    CHECK_FALSE(seen.count(ChunkId()));
}

TEST_CASE("chunk paths use two levels of hashed directories", "[chunk]") {
    const ChunkId id = *ChunkId::parse("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    CHECK(chunk_path("/d", id) == "/d/chunks/0f/1e/0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    CHECK(chunk_directory("/d", id) == "/d/chunks/0f/1e");
    CHECK(pending_directory("/d") == "/d/chunks/pending");

    const std::string pending = new_pending_name(id);
    CHECK(pending.size() == 32 + 1 + 16);
    CHECK(pending.substr(0, 33) == id.to_string() + ".");
    CHECK(parse_pending_name(pending) == id);
    CHECK(new_pending_name(id) != pending);
    CHECK_FALSE(parse_pending_name(id.to_string()));
    CHECK_FALSE(parse_pending_name(id.to_string() + ".tmp"));
    CHECK(is_fanout_name("0f"));
    CHECK_FALSE(is_fanout_name("0F"));
    CHECK_FALSE(is_fanout_name("pending"));
}
