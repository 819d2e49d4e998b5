#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <optional>

#include <map>

#include "chunk/chunk_test_util.hpp"
#include "core/chunk/chunk_store.hpp"
#include "core/hash/crc32c.hpp"
#include "temp_dir.hpp"

using namespace shoal::chunk;
using namespace shoal::testing;
using Catch::Matchers::Contains;

namespace {

std::size_t count_files(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("a chunk store creates its tree on the drive", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    CHECK(std::filesystem::is_directory(dir.path() / "chunks"));
    CHECK(std::filesystem::is_directory(dir.path() / "chunks" / "pending"));
    CHECK(store.drive() == dir.path());
    // A second store on the same tree is fine (the drive lock is the caller's).
    CHECK_NOTHROW(ChunkStore(dir.path()));

    const auto file = dir.write("plain", "x");
    const ChunkError e = error_from([&] { ChunkStore bad(file); });
    CHECK(e.code() == ChunkErrc::io_error);
    CHECK_THAT(e.what(), Contains(file.string()));
}

TEST_CASE("chunks round trip at every size around the block boundaries", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const std::uint32_t b = kDefaultBlockSize;
    std::uint32_t n = 0;
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{b - 1}, std::size_t{b},
                             std::size_t{b + 1}, std::size_t{3 * b}, std::size_t{(3u << 20) + 5}}) {
        CAPTURE(size);
        const std::string data = test_bytes(size, ++n);
        const ChunkId id = ChunkId::random();
        const ChunkOwner owner = owner_for(n);
        const ChunkInfo info = write_chunk(store, id, data, owner);
        CHECK(info.id == id);
        CHECK(info.size == size);
        CHECK(info.crc32c == shoal::hash::crc32c(data.data(), data.size()));
        CHECK(info.file == store.path_of(id));
        CHECK(std::filesystem::file_size(info.file) ==
              chunk_file_size(encoded_header_size(ChunkHeader{id, 0, b, 0, owner, {}}), size, b));

        ChunkReader reader = store.open(id);
        CHECK(reader.size() == size);
        CHECK(reader.header().id == id);
        CHECK(reader.header().owner == owner);
        CHECK(reader.header().block_size == b);
        CHECK(reader.header().data_crc32c == info.crc32c);
        CHECK(read_range(reader, 0, size) == data);
        CHECK_NOTHROW(reader.verify_all());
    }
    CHECK(count_files(dir.path() / "chunks" / "pending") == 0);
}

TEST_CASE("appending in odd pieces writes the same file as one append", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const std::uint32_t b = 1024;
    const std::string data = test_bytes(10 * b + 17, 7);
    const ChunkId id = *ChunkId::parse("00112233445566778899aabbccddeeff");
    write_chunk(store, id, data, owner_for(1), b);
    const std::string whole = file_bytes(store.path_of(id));
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{b - 1}, std::size_t{b + 1}, std::size_t{3 * b}}) {
        CAPTURE(piece);
        REQUIRE(store.remove(id));
        write_chunk(store, id, data, owner_for(1), b, piece);
        CHECK(file_bytes(store.path_of(id)) == whole);
    }
}

TEST_CASE("range reads are exact at every block boundary", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const std::uint64_t b = 512;
    const std::string data = test_bytes(5 * b + 100, 3);
    const ChunkId id = ChunkId::random();
    write_chunk(store, id, data, owner_for(0), static_cast<std::uint32_t>(b));
    ChunkReader reader = store.open(id);
    const std::uint64_t d = data.size();

    std::vector<std::uint64_t> points;
    for (std::uint64_t k = 0; k <= 6; ++k) {
        for (std::uint64_t p : {k * b - 1, k * b, k * b + 1}) {
            if (p <= d) points.push_back(p);
        }
    }
    points.push_back(d - 1);
    points.push_back(d);
    std::size_t reads = 0;
    std::size_t cached_reads = 0;
    for (std::uint64_t from : points) {
        for (std::uint64_t to : points) {
            if (to < from) continue;
            const auto length = static_cast<std::size_t>(to - from);
            if (read_range(reader, from, length) != data.substr(from, length)) FAIL("range [" << from << ", " << to << ")");
            // The same range from the page cache, where the kernel can say
            // (always on x86-64; qemu-user may refuse RWF_NOWAIT).
            std::string cached(length, 'x');
            if (reader.read_if_cached(from, length, cached.data())) {
                if (cached != data.substr(from, length)) FAIL("cached range [" << from << ", " << to << ")");
                ++cached_reads;
            }
            ++reads;
        }
    }
    CHECK(reads > 150);
#if defined(__x86_64__)
    CHECK(cached_reads == reads);  // just written: all in the page cache
#else
    static_cast<void>(cached_reads);  // qemu-user may refuse RWF_NOWAIT
#endif

    // Outside the data: refused, naming the file.
    std::string out(10, 'x');
    const ChunkError e = error_from([&] { reader.read(d - 5, 10, out.data()); });
    CHECK(e.code() == ChunkErrc::invalid_argument);
    CHECK_THAT(e.what(), Contains(store.path_of(id).string()) && Contains("beyond the chunk's"));
    CHECK_THROWS_AS(reader.read(d + 1, 0, out.data()), ChunkError);
    CHECK_NOTHROW(reader.read(d, 0, out.data()));
}

TEST_CASE("an unfinished writer leaves no file behind", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const ChunkId id = ChunkId::random();
    std::filesystem::path pending;
    {
        ChunkWriter writer = store.create(id, owner_for(0), {}, 1024);
        writer.append(test_bytes(5000, 1));
        pending = writer.pending_file();
        CHECK(pending.parent_path() == dir.path() / "chunks" / "pending");
        CHECK(std::filesystem::exists(pending));
        CHECK(writer.size() == 5000);
        // A pending file already says whose it is.
        CHECK_THAT(file_bytes(pending), Contains("dir/key-0"));
    }
    CHECK_FALSE(std::filesystem::exists(pending));
    CHECK_FALSE(std::filesystem::exists(store.path_of(id)));
    CHECK(count_files(dir.path()) == 0);

    // abort() and moves: the moved-from writer owns nothing.
    ChunkWriter a = store.create(id, owner_for(0));
    a.append("abc");
    ChunkWriter b = std::move(a);
    a.abort();
    CHECK(std::filesystem::exists(b.pending_file()));
    b.abort();
    CHECK(count_files(dir.path()) == 0);
    CHECK_THROWS_WITH(b.append("x"), Contains("finished, aborted or failed"));
    CHECK_THROWS_AS(b.finish(), ChunkError);
}

TEST_CASE("a finished writer cannot be used again, and never replaces a chunk", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const ChunkId id = ChunkId::random();
    ChunkWriter writer = store.create(id, owner_for(1));
    writer.append("first");
    writer.finish();
    CHECK_THROWS_AS(writer.append("more"), ChunkError);
    CHECK_THROWS_AS(writer.finish(), ChunkError);

    ChunkWriter second = store.create(id, owner_for(2));
    second.append("second");
    const ChunkError e = error_from([&] { second.finish(); });
    CHECK(e.code() == ChunkErrc::already_exists);
    CHECK_THAT(e.what(), Contains(store.path_of(id).string()));
    CHECK(e.object() == "bucket/dir/key-2 (version v1, chunk 2)");
    second.abort();
    ChunkReader reader = store.open(id);
    CHECK(read_range(reader, 0, 5) == "first");
    CHECK(count_files(dir.path() / "chunks" / "pending") == 0);
}

TEST_CASE("keys of 1024 UTF-8 bytes are carried whole; longer ones are refused", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    // 2-, 3- and 4-byte UTF-8 sequences: 9 bytes a round, 113 rounds + 7 ASCII = 1024 bytes.
    std::string key;
    for (int i = 0; i < 113; ++i) key += "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80";
    key += "/suffix";
    REQUIRE(key.size() == 1024);
    const ChunkOwner owner{"b\xc3\xa9", key, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo", 0, 0, 0};
    const ChunkCodec codec{"THREECOPIES", 1, 0, 0, 0};
    const ChunkId id = ChunkId::random();
    ChunkWriter writer = store.create(id, owner, codec);
    writer.append("data");
    writer.finish();
    ChunkReader reader = store.open(id);
    CHECK(reader.header().owner.key == key);
    CHECK(reader.header().owner == owner);
    CHECK(reader.header().codec == codec);

    ChunkOwner too_long = owner;
    too_long.key += "x";
    const ChunkError e = error_from([&] { store.create(ChunkId::random(), too_long); });
    CHECK(e.code() == ChunkErrc::invalid_argument);
    CHECK_THAT(e.what(), Contains("key longer than 1024 bytes"));
    CHECK_THROWS_WITH(store.create(ChunkId::random(), owner, {}, 100), Contains("block size 100"));
    CHECK_THROWS_WITH(store.create(ChunkId(), owner), Contains("nil chunk id"));
    CHECK(count_files(dir.path() / "chunks" / "pending") == 0);
}

TEST_CASE("removing a chunk", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const ChunkId id = ChunkId::random();
    write_chunk(store, id, "x", owner_for(0));
    CHECK(store.remove(id));
    CHECK_FALSE(std::filesystem::exists(store.path_of(id)));
    CHECK_FALSE(store.remove(id));
    const ChunkError e = error_from([&] { store.open(id); });
    CHECK(e.code() == ChunkErrc::not_found);
    CHECK_THAT(e.what(), Contains(store.path_of(id).string()) && Contains(dir.path().string()));
}

TEST_CASE("a scan finds every chunk with its owner", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    std::map<ChunkId, ChunkOwner> written;
    for (std::uint32_t i = 0; i < 40; ++i) {
        const ChunkId id = ChunkId::random();
        ChunkOwner owner = owner_for(i);
        owner.part_number = i % 3;
        write_chunk(store, id, test_bytes(i * 100, i), owner, 1024);
        written[id] = owner;
    }
    ChunkWriter live = store.create(ChunkId::random(), owner_for(99));  // pending: not a chunk yet
    live.append("partial");

    std::map<ChunkId, ChunkOwner> found;
    std::vector<ChunkId> order;
    std::uint64_t bytes = 0;
    const ScanStats stats = store.scan(
        [&](const ScannedChunk& c) {
            CHECK(c.file == store.path_of(c.header.id));
            found[c.header.id] = c.header.owner;
            order.push_back(c.header.id);
            bytes += c.header.data_length;
        },
        [](const ChunkError& e) { FAIL("unexpected scan error: " << e.what()); });
    CHECK(found == written);
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(stats.chunks == 40);
    CHECK(stats.errors == 0);
    CHECK(stats.data_bytes == bytes);
}

TEST_CASE("a scan reports damaged, misplaced and stray files by name and goes on", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    std::vector<ChunkId> ids;
    for (std::uint32_t i = 0; i < 4; ++i) {
        ids.push_back(ChunkId::random());
        write_chunk(store, ids.back(), test_bytes(3000, i), owner_for(i), 1024);
    }
    // ids[0]: header damaged; ids[1]: data damaged (only a verifying scan sees it);
    // ids[2]: copied under another id's name, in its right directory; a stray file.
    flip_byte(store.path_of(ids[0]), 20);
    const std::uint32_t h1 = store.open(ids[1]).header_size();
    flip_byte(store.path_of(ids[1]), h1 + 1500);
    const ChunkId impostor = ChunkId::random();
    std::filesystem::create_directories(store.path_of(impostor).parent_path());
    std::filesystem::copy_file(store.path_of(ids[2]), store.path_of(impostor));
    std::filesystem::path wrong_dir = store.path_of(ids[3]).parent_path().parent_path() / "zz";
    std::filesystem::create_directories(wrong_dir);
    const auto stray = dir.write("chunks/readme.txt", "hello");

    std::vector<std::string> errors;
    auto collect = [&](const ChunkError& e) { errors.push_back(e.what()); };
    ScanStats stats = store.scan([](const ScannedChunk&) {}, collect);
    CHECK(stats.chunks == 3);  // ids[1], ids[2], ids[3]
    CHECK(stats.errors == 4);
    auto reported = [&](const std::filesystem::path& p, const std::string& reason) {
        for (const auto& e : errors) {
            if (e.find(p.string()) != std::string::npos && e.find(reason) != std::string::npos) return true;
        }
        return false;
    };
    CHECK(reported(store.path_of(ids[0]), "header checksum mismatch"));
    CHECK(reported(store.path_of(impostor), "header belongs to chunk " + ids[2].to_string()));
    CHECK(reported(stray, "unexpected entry"));
    CHECK(reported(wrong_dir, "unexpected entry"));

    errors.clear();
    stats = store.scan([](const ScannedChunk&) {}, collect, ScanOptions{.verify_data = true});
    CHECK(stats.chunks == 2);
    CHECK(stats.errors == 5);
    CHECK(reported(store.path_of(ids[1]), "checksum mismatch in block 1"));
    CHECK(reported(store.path_of(ids[1]), "bucket/dir/key-1"));

    // A chunk file moved to another fan-out directory.
    std::filesystem::remove(store.path_of(impostor));
    const std::filesystem::path moved = wrong_dir.parent_path() / (ids[3].to_string().substr(2, 2) == "00" ? "01" : "00") /
                                        ids[3].to_string();
    std::filesystem::create_directories(moved.parent_path());
    std::filesystem::rename(store.path_of(ids[3]), moved);
    errors.clear();
    store.scan([](const ScannedChunk&) {}, collect);
    CHECK(reported(moved, "wrong directory"));
}

TEST_CASE("pending files are collected once old enough", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    const std::filesystem::path pending_dir = dir.path() / "chunks" / "pending";
    // Crash leftovers: one old, one recent; plus a file that is not ours.
    const ChunkId a = ChunkId::random();
    const auto old_file = dir.write("chunks/pending/" + new_pending_name(a), "left by a crash");
    const auto recent_file = dir.write("chunks/pending/" + new_pending_name(a), "also");
    const auto foreign = dir.write("chunks/pending/notes.txt", "operator's");
    const ::timespec times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 7200, 0}};
    REQUIRE(::utimensat(AT_FDCWD, old_file.c_str(), times, 0) == 0);
    REQUIRE(::utimensat(AT_FDCWD, foreign.c_str(), times, 0) == 0);

    ChunkWriter live = store.create(ChunkId::random(), owner_for(0));
    live.append("in progress");

    CHECK(store.collect_pending(std::chrono::hours(1)) == 1);
    CHECK_FALSE(std::filesystem::exists(old_file));
    CHECK(std::filesystem::exists(recent_file));
    CHECK(std::filesystem::exists(live.pending_file()));
    CHECK(std::filesystem::exists(foreign));

    live.append(" and more");
    const ChunkInfo info = live.finish();
    CHECK(std::filesystem::exists(info.file));
    CHECK(store.collect_pending(std::chrono::seconds(0)) == 1);  // recent_file
    CHECK(count_files(pending_dir) == 1);                       // only the foreign file
}

TEST_CASE("a write that fails leaves no file and names the file", "[chunk]") {
    TempDir dir;
    ChunkStore store(dir.path());
    // Make writes beyond 8 KiB fail with EFBIG (SIGXFSZ ignored), then restore.
    ::rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    ::rlimit small = saved;
    small.rlim_cur = 8192;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::optional<ChunkError> error;
    std::filesystem::path pending;
    {
        ChunkWriter writer = store.create(ChunkId::random(), owner_for(3), {}, 1024);
        pending = writer.pending_file();
        try {
            writer.append(test_bytes(20'000, 1));
        } catch (const ChunkError& e) {
            error = e;
        }
        if (error) CHECK_THROWS_WITH(writer.finish(), Contains("failed"));
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);
    REQUIRE(error);
    CHECK(error->code() == ChunkErrc::io_error);
    CHECK_THAT(error->what(), Contains(pending.string()) && Contains("cannot write block 7") &&
                                  Contains("bucket/dir/key-3"));
    CHECK_FALSE(std::filesystem::exists(pending));
    CHECK(count_files(dir.path()) == 0);
}
