// Damaged chunk files: every read fails with an error naming the drive, the
// file and the object, and never hands out wrong bytes.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "chunk/chunk_test_util.hpp"
#include "core/chunk/chunk_store.hpp"
#include "temp_dir.hpp"

using namespace shoal::chunk;
using namespace shoal::testing;
using Catch::Matchers::Contains;

namespace {

constexpr std::uint32_t kBlock = 1024;

struct Fixture {
    TempDir dir;
    ChunkStore store{dir.path()};
    ChunkId id = ChunkId::random();
    std::string data = test_bytes(4 * kBlock + 300, 11);  // 5 blocks, the last short
    std::filesystem::path file;
    std::uint32_t header_size = 0;

    Fixture() {
        file = write_chunk(store, id, data, owner_for(5), kBlock).file;
        header_size = store.open(id).header_size();
    }
    std::uint64_t data_byte(std::uint64_t offset) const {
        return block_file_offset(header_size, kBlock, offset / kBlock) + offset % kBlock;
    }
    void expect_names_everything(const ChunkError& e) const {
        CHECK_THAT(e.what(), Contains(file.string()));
        CHECK_THAT(e.what(), Contains(dir.path().string()));
        CHECK(e.file() == file);
        CHECK(e.drive() == dir.path());
    }
};

}  // namespace

TEST_CASE("a flipped data byte fails the reads that cover its block, and only those", "[chunk]") {
    Fixture f;
    flip_byte(f.file, f.data_byte(2 * kBlock + 10));
    ChunkReader reader = f.store.open(f.id);  // the header is intact

    std::string out(kBlock, 'x');
    const ChunkError e = error_from([&] { reader.read(2 * kBlock, kBlock, out.data()); });
    CHECK(e.code() == ChunkErrc::corrupt);
    CHECK_THAT(e.what(), Contains("checksum mismatch in block 2"));
    CHECK_THAT(e.what(), Contains("bucket/dir/key-5 (version v1, chunk 5)"));
    f.expect_names_everything(e);
    CHECK(out == std::string(kBlock, '\0'));  // wiped, not the damaged bytes

    // Partial ranges touching the block fail too, whichever way they enter it.
    for (auto [offset, length] : {std::pair<std::uint64_t, std::size_t>{2 * kBlock + 10, 1},
                                  {kBlock + 1000, 100}, {2 * kBlock + 1000, 100}, {0, f.data.size()}}) {
        std::string part(length, 'x');
        CAPTURE(offset, length);
        CHECK_THROWS_WITH(reader.read(offset, length, part.data()), Contains("block 2"));
        CHECK(part == std::string(length, '\0'));
    }
    // The other blocks still read.
    CHECK(read_range(reader, 0, 2 * kBlock) == f.data.substr(0, 2 * kBlock));
    CHECK(read_range(reader, 3 * kBlock, f.data.size() - 3 * kBlock) == f.data.substr(3 * kBlock));
    CHECK_THROWS_WITH(reader.verify_all(), Contains("checksum mismatch in block 2"));

    // Reading from the page cache checks the same way: the block is refused,
    // not served because it came from memory.
    // (Under qemu-user RWF_NOWAIT may be refused: then nothing is read.)
    std::string cached(kBlock, 'x');
    bool served = false;
    bool refused = false;
    try {
        served = reader.read_if_cached(2 * kBlock, kBlock, cached.data());
    } catch (const ChunkError& cached_error) {
        refused = true;
        CHECK_THAT(cached_error.what(), Contains("checksum mismatch in block 2"));
    }
    CHECK_FALSE(served);
#if defined(__x86_64__)
    CHECK(refused);  // just written: in the page cache
#else
    static_cast<void>(refused);  // qemu-user may refuse RWF_NOWAIT: then nothing was read
#endif
    CHECK(cached == std::string(kBlock, '\0'));
}

TEST_CASE("a damaged block check or a swapped block is caught", "[chunk]") {
    SECTION("the stored CRC of the last block") {
        Fixture f;
        flip_byte(f.file, std::filesystem::file_size(f.file) - 2);
        ChunkReader reader = f.store.open(f.id);
        CHECK_THROWS_WITH(read_range(reader, f.data.size() - 1, 1), Contains("checksum mismatch in block 4"));
    }
    SECTION("two whole blocks swapped in place") {
        Fixture f;
        std::string bytes = file_bytes(f.file);
        const std::size_t b1 = static_cast<std::size_t>(block_file_offset(f.header_size, kBlock, 1));
        const std::size_t b2 = static_cast<std::size_t>(block_file_offset(f.header_size, kBlock, 2));
        const std::string first = bytes.substr(b1, kBlock + 4);
        bytes.replace(b1, kBlock + 4, bytes.substr(b2, kBlock + 4));
        bytes.replace(b2, kBlock + 4, first);
        f.dir.write("swapped", bytes);
        std::filesystem::rename(f.dir.path() / "swapped", f.file);
        ChunkReader reader = f.store.open(f.id);
        CHECK_THROWS_WITH(read_range(reader, kBlock, 10), Contains("block 1"));
        CHECK_THROWS_WITH(read_range(reader, 2 * kBlock, 10), Contains("block 2"));
    }
}

TEST_CASE("a damaged header fails the open, naming the file", "[chunk]") {
    Fixture f;
    // The key, the data length, the magic: each is caught.
    for (std::uint64_t at : {std::uint64_t{80}, std::uint64_t{33}, std::uint64_t{0}}) {
        CAPTURE(at);
        flip_byte(f.file, at);
        const ChunkError e = error_from([&] { f.store.open(f.id); });
        CHECK(e.code() == ChunkErrc::corrupt);
        CHECK_THAT(e.what(), Contains("bad header"));
        f.expect_names_everything(e);
        flip_byte(f.file, at);  // flip back
        CHECK_NOTHROW(f.store.open(f.id));
    }
}

TEST_CASE("a truncated or extended file fails the open", "[chunk]") {
    Fixture f;
    const auto size = std::filesystem::file_size(f.file);
    for (std::uintmax_t cut : {size - 1, size - 4, size - 400, std::uintmax_t{f.header_size}, std::uintmax_t{50},
                               std::uintmax_t{0}}) {
        CAPTURE(cut);
        const std::string whole = file_bytes(f.file);
        std::filesystem::resize_file(f.file, cut);
        const ChunkError e = error_from([&] { f.store.open(f.id); });
        CHECK(e.code() == ChunkErrc::corrupt);
        f.expect_names_everything(e);
        f.dir.write("restore", whole);
        std::filesystem::rename(f.dir.path() / "restore", f.file);
    }
    std::filesystem::resize_file(f.file, size + 1);
    CHECK_THROWS_WITH(f.store.open(f.id), Contains("truncated or extended"));

    // Truncated after it was opened: the read notices.
    std::filesystem::resize_file(f.file, size);
    ChunkReader reader = f.store.open(f.id);
    std::filesystem::resize_file(f.file, size - 100);
    std::string out(300, 'x');
    CHECK_THROWS_WITH(reader.read(f.data.size() - 300, 300, out.data()), Contains("file truncated"));
    CHECK(out == std::string(300, '\0'));
    CHECK_THROWS_AS(reader.verify_all(), ChunkError);
}

TEST_CASE("a chunk file under another chunk's name is refused", "[chunk]") {
    Fixture f;
    const ChunkId other = ChunkId::random();
    std::filesystem::create_directories(f.store.path_of(other).parent_path());
    std::filesystem::copy_file(f.file, f.store.path_of(other));
    const ChunkError e = error_from([&] { f.store.open(other); });
    CHECK(e.code() == ChunkErrc::corrupt);
    CHECK_THAT(e.what(), Contains("header belongs to chunk " + f.id.to_string()));
    CHECK_THAT(e.what(), Contains(f.store.path_of(other).string()));
}
