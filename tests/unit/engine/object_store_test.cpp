// ObjectStore against real files: PUT and GET round trips (inline, copies,
// erasure coding; whole and by ranges), reads past missing or damaged pieces
// (reported for repair), discarded uploads that leave no file, the write
// quorum with a failed drive, multipart uploads, and the inline record check.
#include <catch2/catch.hpp>

#include <thread>

#include "core/chunk/chunk_error.hpp"
#include "core/hash/encoding.hpp"
#include "core/hash/md5.hpp"
#include "chunk/chunk_test_util.hpp"
#include "engine/engine_node.hpp"

using namespace shoal;
using shoal::testing::EngineNode;
using shoal::testing::StringSource;
using shoal::testing::bytes_of;
using shoal::testing::run;

namespace {

constexpr std::uint64_t kChunk = 64 * 1024;

std::string md5_hex(const std::string& data) {
    hash::Md5 md5;
    md5.update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
    const auto digest = md5.finish();
    return hash::hex_encode(std::span<const std::uint8_t>(digest.data(), digest.size()));
}

// Ranges worth reading of an object of `size` bytes: edges of chunks, groups
// and segments, and a few at random.
std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_of(std::uint64_t size) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    if (size == 0) return out;
    constexpr std::uint64_t kSegment = 16 * 1024;
    for (const std::uint64_t at : {std::uint64_t{0}, std::uint64_t{1}, kSegment - 1, kChunk - 1, kChunk, 2 * kChunk + 5,
                                   size / 2, size - 1}) {
        if (at >= size) continue;
        for (const std::uint64_t length : {std::uint64_t{1}, std::uint64_t{2}, kSegment + 3, kChunk + 1, size}) {
            out.emplace_back(at, std::min(length, size - at));
        }
    }
    std::mt19937_64 rng(size);
    for (int i = 0; i < 8; ++i) {
        const std::uint64_t at = rng() % size;
        out.emplace_back(at, 1 + rng() % (size - at));
    }
    return out;
}

}  // namespace

TEST_CASE("PUT and GET round trips: inline, copies and erasure coding, whole and by ranges", "[engine]") {
    EngineNode node(6);
    const std::uint64_t sizes[] = {0, 1, 4096, 4097, kChunk - 1, kChunk, kChunk + 1, 300001};
    for (const std::string policy : {"SINGLE", "THREECOPIES", "EC4+2", "EC2+1/CAUCHY"}) {
        for (const std::uint64_t size : sizes) {
            CAPTURE(policy, size);
            const std::string key = policy + "-" + std::to_string(size);
            const std::string body = bytes_of(size, static_cast<std::uint32_t>(size) + 7);
            const meta::ObjectVersion put = node.put(key, body, policy, 1000 + size % 7000);
            CHECK(put.etag == md5_hex(body));
            const meta::ObjectVersion v = *node.newest(key);  // as stored
            CHECK(v.size == size);
            if (size <= 4096) {
                CHECK(v.chunks.empty());
                CHECK(v.inline_data == body);
            } else {
                const int pieces = ec::StoragePolicy::parse(policy)->pieces();
                CHECK(v.policy == ec::StoragePolicy::parse(policy)->to_string());
                for (const auto& [offset, chunk] : testing::by_chunk(v.chunks)) {
                    CHECK(static_cast<int>(chunk.size()) == pieces);
                    for (const meta::ChunkRef& ref : chunk) CHECK(std::filesystem::exists(node.file_of(ref)));
                }
                CHECK(testing::pieces_on_distinct_drives(v.chunks));
            }
            CHECK(node.read(v) == body);
            for (const auto& [at, length] : ranges_of(size)) {
                CAPTURE(at, length);
                REQUIRE(node.read(v, at, length, 1 + (at + length) % (48 * 1024)) == body.substr(at, length));
            }
        }
    }
    CHECK(node.damage().empty());
    CHECK(node.pending_files() == 0);
}

TEST_CASE("a missing or damaged copy is read past, and the version reported for repair", "[engine]") {
    EngineNode node(3);
    const std::string body = bytes_of(3 * kChunk + 100, 1);
    const meta::ObjectVersion v = node.put("k", body, "THREECOPIES");
    const auto chunks = testing::by_chunk(v.chunks);
    REQUIRE(chunks.size() == 4);
    // Chunk 0: its first copy gone; chunk 1: its first copy damaged;
    // chunk 2: two copies gone.
    const meta::ChunkRef gone = chunks.at(0)[0];
    const meta::ChunkRef damaged = chunks.at(kChunk)[0];
    std::filesystem::remove(node.file_of(gone));
    testing::flip_byte(node.file_of(damaged), std::filesystem::file_size(node.file_of(damaged)) / 2);
    std::filesystem::remove(node.file_of(chunks.at(2 * kChunk)[0]));
    std::filesystem::remove(node.file_of(chunks.at(2 * kChunk)[1]));

    CHECK(node.read(v) == body);
    const auto reports = node.damage();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].bucket == "bucket");
    CHECK(reports[0].key == "k");
    CHECK(reports[0].version_id == v.version_id());
    const std::set<std::string> bad(reports[0].bad_chunks.begin(), reports[0].bad_chunks.end());
    CHECK(bad == std::set<std::string>{gone.chunk_id, damaged.chunk_id, chunks.at(2 * kChunk)[0].chunk_id,
                                       chunks.at(2 * kChunk)[1].chunk_id});
    CHECK(node.log().has("chunk copy unreadable, reading another"));

    // No copy left: the read fails naming the object and every copy's error.
    std::filesystem::remove(node.file_of(chunks.at(2 * kChunk)[2]));
    try {
        node.read(v, 2 * kChunk, 10);
        FAIL("read a chunk with no copy left");
    } catch (const chunk::ChunkError& e) {
        CHECK(e.code() == chunk::ChunkErrc::not_found);
        CHECK_THAT(std::string(e.what()), Catch::Contains("the other copies"));
    }
    CHECK(node.read(v, 0, kChunk) == body.substr(0, kChunk));  // the rest still reads
}

TEST_CASE("a missing or damaged fragment is decoded past, and the version reported for repair", "[engine]") {
    EngineNode node(6);
    const std::string body = bytes_of(5 * kChunk + 12345, 2);
    const meta::ObjectVersion v = node.put("coded", body, "EC4+2");
    const auto groups = testing::by_chunk(v.chunks);
    REQUIRE(groups.size() == 2);
    const auto& first = groups.begin()->second;
    REQUIRE(first.size() == 6);
    const auto piece = [&](std::uint32_t i) {
        return *std::find_if(first.begin(), first.end(), [&](const meta::ChunkRef& r) { return r.piece == i; });
    };
    std::filesystem::remove(node.file_of(piece(0)));
    testing::flip_byte(node.file_of(piece(1)), std::filesystem::file_size(node.file_of(piece(1))) - 10);

    CHECK(node.read(v) == body);
    for (const auto& [at, length] : ranges_of(body.size())) REQUIRE(node.read(v, at, length) == body.substr(at, length));
    const auto reports = node.damage();
    REQUIRE_FALSE(reports.empty());
    for (const auto& report : reports) {
        const std::set<std::string> bad(report.bad_chunks.begin(), report.bad_chunks.end());
        CHECK(bad.count(piece(0).chunk_id) + bad.count(piece(1).chunk_id) >= 1);
        CHECK(bad.size() <= 2);
    }
    CHECK(node.log().has("chunk fragment unreadable, decoding from the others"));

    // Two more lost: fewer than k are left, and the read says so.
    std::filesystem::remove(node.file_of(piece(2)));
    std::filesystem::remove(node.file_of(piece(3)));
    CHECK_THROWS_WITH(node.read(v, 0, 100),
                      Catch::Contains("object bucket/coded") && Catch::Contains("needs 4 readable fragments"));
}

TEST_CASE("a failed verify discards the upload: no chunk file, no pending file, no record", "[engine]") {
    EngineNode node(6);
    for (const std::string policy : {"SINGLE", "THREECOPIES", "EC4+2"}) {
        for (const std::uint64_t size : {std::uint64_t{100}, kChunk + 1, 7 * kChunk + 3}) {
            CAPTURE(policy, size);
            engine::PutInput input;
            input.bucket = "bucket";
            input.key = "refused";
            input.storage_class = policy;
            input.verify = [](const engine::ContentDigests::Result&) { throw std::runtime_error("BadDigest"); };
            StringSource source(bytes_of(size, 3));
            CHECK_THROWS_WITH(run(node.store().put(std::move(input), source)), "BadDigest");
            CHECK(node.chunk_files().empty());
            CHECK(node.pending_files() == 0);
            CHECK_FALSE(node.newest("refused"));
        }
    }
}

TEST_CASE("a source that fails midway leaves no file and no record", "[engine]") {
    EngineNode node(3);
    engine::PutInput input;
    input.bucket = "bucket";
    input.key = "cut";
    input.storage_class = "THREECOPIES";
    StringSource source(bytes_of(5 * kChunk, 4), 10000, 3 * kChunk + 500);
    CHECK_THROWS_WITH(run(node.store().put(std::move(input), source)), "the client went away");
    CHECK(node.chunk_files().empty());
    CHECK(node.pending_files() == 0);
    CHECK_FALSE(node.newest("cut"));
}

TEST_CASE("write quorum: a drive that fails drops its pieces, too few drives refuse the upload", "[engine]") {
    EngineNode node(3);
    // Drive 2 can no longer create files: its pending directory is gone.
    std::filesystem::remove_all(node.path(2) / "chunks" / "pending");
    const std::string body = bytes_of(2 * kChunk + 1, 5);
    const meta::ObjectVersion v = node.put("two-copies", body, "THREECOPIES");  // quorum 2 of 3
    for (const auto& [offset, pieces] : testing::by_chunk(v.chunks)) {
        CHECK(pieces.size() == 2);
        for (const meta::ChunkRef& p : pieces) CHECK(p.drive != node.id(2));
    }
    CHECK(testing::pieces_on_distinct_drives(v.chunks));
    CHECK(node.read(v) == body);
    CHECK(node.log().has("chunk piece dropped: its drive failed"));
    const auto scores = node.conscience().scores();
    CHECK(scores[2].failed);
    CHECK(scores[2].write_score == 0);
    CHECK_FALSE(scores[0].failed);

    // EC2+1 needs all three (quorum k + 1): refused, and nothing is left behind.
    const std::size_t files = node.chunk_files().size();
    engine::PutInput input;
    input.bucket = "bucket";
    input.key = "coded";
    input.storage_class = "EC2+1";
    StringSource source(bytes_of(3 * kChunk, 6));
    CHECK_THROWS_AS(run(node.store().put(std::move(input), source)), engine::StorageUnavailable);
    CHECK(node.chunk_files().size() == files);
    CHECK(node.pending_files() == 0);
    CHECK_FALSE(node.newest("coded"));
}

TEST_CASE("a drive failing in the middle of an upload: its finished pieces are removed, the upload goes on", "[engine]") {
    EngineNode node(3);
    engine::PutInput input;
    input.bucket = "bucket";
    input.key = "k";
    input.storage_class = "THREECOPIES";
    const std::string body = bytes_of(6 * kChunk, 7);
    // Fails drive 1 once the first chunks are written: later chunks have two copies.
    class FailingDriveSource : public engine::ByteSource {
    public:
        FailingDriveSource(std::string data, std::filesystem::path pending) : data_(std::move(data)), pending_(std::move(pending)) {}
        asio::awaitable<std::size_t> read(std::span<char> out) override {
            if (at_ >= 3 * kChunk && !failed_) {
                std::filesystem::remove_all(pending_);
                failed_ = true;
            }
            const std::size_t n = std::min<std::size_t>(out.size(), data_.size() - at_);
            std::memcpy(out.data(), data_.data() + at_, n);
            at_ += n;
            co_return n;
        }

    private:
        std::string data_;
        std::filesystem::path pending_;
        std::size_t at_ = 0;
        bool failed_ = false;
    } source(body, node.path(1) / "chunks" / "pending");
    const meta::ObjectVersion v = run(node.store().put(std::move(input), source));
    CHECK(node.read(v) == body);
    std::size_t short_chunks = 0;
    for (const auto& [offset, pieces] : testing::by_chunk(v.chunks)) {
        CHECK(pieces.size() >= 2);
        if (pieces.size() == 2) ++short_chunks;
    }
    CHECK(short_chunks >= 1);
    // On disk exactly the pieces the record lists: none of the dropped ones.
    CHECK(node.chunk_files().size() == v.chunks.size());
}

TEST_CASE("an inline version whose data is not its size is refused, never read past", "[engine]") {
    EngineNode node(1);
    meta::ObjectVersion v = node.put("small", "hello");
    v.size = 4096;  // as a damaged record would say
    CHECK_THROWS_AS(node.store().open(v, "bucket"), meta::CorruptRecord);
    v.size = 5;
    CHECK(node.read(v) == "hello");
}

TEST_CASE("multipart: parts join into one version, unlisted parts are freed", "[engine]") {
    EngineNode node(3);
    engine::PutInput input;
    input.bucket = "bucket";
    input.key = "big";
    input.storage_class = "THREECOPIES";
    const std::string upload = run(node.store().create_upload(input));
    const std::string parts[] = {bytes_of(kChunk + 10, 10), bytes_of(200, 11), bytes_of(2 * kChunk, 12)};
    for (std::uint32_t n = 1; n <= 3; ++n) {
        StringSource source(parts[n - 1]);
        const meta::PartRecord p = run(node.store().put_part("bucket", "big", upload, n, engine::ChecksumAlgorithm::none,
                                                             nullptr, source));
        CHECK(p.size == parts[n - 1].size());
    }
    const std::size_t part2_files = node.meta().snapshot().catalog().part(upload, 2)->chunks.size();
    std::vector<engine::CompletedPart> listed{{1, ""}, {3, ""}};
    const meta::ObjectVersion v = run(node.store().complete_upload(
        "bucket", "big", upload, listed, [](const auto&, const auto&, const auto&) {}));
    CHECK(v.size == parts[0].size() + parts[2].size());
    REQUIRE(v.parts.size() == 2);
    CHECK(v.parts[1].number == 3);
    CHECK(node.read(*node.newest("big")) == parts[0] + parts[2]);
    // Part 2's chunks are gone, the others are the version's.
    CHECK(part2_files == 3);
    CHECK(node.chunk_files().size() == v.chunks.size());
    CHECK_FALSE(node.meta().snapshot().catalog().upload(upload));
}

TEST_CASE("an overwrite frees the old chunks, after the reads that hold a lease", "[engine]") {
    EngineNode node(2);
    const meta::ObjectVersion old = node.put("k", bytes_of(2 * kChunk, 20), "TWOCOPIES");
    CHECK(node.chunk_files().size() == 4);
    auto lease = node.store().lease_reads();  // a GET of the old version under way
    const meta::ObjectVersion fresh = node.put("k", bytes_of(kChunk + 1, 21), "TWOCOPIES");
    CHECK(node.chunk_files().size() == 4 + 4);  // the old ones wait for the lease
    CHECK(node.read(old) == bytes_of(2 * kChunk, 20));
    lease.end();
    // Removed on the pool: wait for it.
    for (int i = 0; i < 200 && node.chunk_files().size() != 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(node.chunk_files().size() == 4);
    CHECK(node.read(fresh) == bytes_of(kChunk + 1, 21));
}

TEST_CASE("a chunk stored short of pieces names each drive left out and why, and queues its version", "[engine]") {
    EngineNode node(3);
    node.conscience().report_failure(node.id(2), "test: the drive failed");
    const meta::ObjectVersion v = node.put("short", bytes_of(2 * kChunk, 30), "THREECOPIES");
    for (const auto& [offset, pieces] : testing::by_chunk(v.chunks)) CHECK(pieces.size() == 2);
    const std::string drive2 = meta::format_version_id(node.id(2)) + " (" + node.path(2).string() + "): test: the drive failed";
    CHECK(node.log().has("chunk stored with fewer pieces than its policy wants"));
    CHECK(node.log().has("left_out=\"drive " + drive2 + "\""));
    const auto queued = node.meta().snapshot().catalog().queued_repairs(0, 10);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].seq == v.seq);
    CHECK(queued[0].record.bucket == "bucket");
    CHECK(queued[0].record.key == "short");
    CHECK(queued[0].record.version_id == v.version_id());
    CHECK_THAT(queued[0].record.reason, Catch::Contains(drive2));

    // A whole upload queues nothing; nor does an inline one.
    node.put("whole", bytes_of(10, 31), "THREECOPIES");
    CHECK(node.meta().snapshot().catalog().queued_repairs(0, 10).size() == 1);
}

TEST_CASE("a piece dropped during an upload is named with its error, and the version queued", "[engine]") {
    EngineNode node(3);
    std::filesystem::remove_all(node.path(1) / "chunks" / "pending");
    const meta::ObjectVersion v = node.put("dropped", bytes_of(kChunk, 32), "THREECOPIES");
    CHECK(v.chunks.size() == 2);
    CHECK(node.log().has("cannot create pending chunk file"));
    CHECK(node.log().has("left_out=\"drive " + meta::format_version_id(node.id(1))));
    REQUIRE(node.meta().snapshot().catalog().queued_repairs(0, 10).size() == 1);
}

TEST_CASE("a multipart object whose parts were written short is queued when completed", "[engine]") {
    EngineNode node(3);
    engine::PutInput input;
    input.bucket = "bucket";
    input.key = "parts";
    input.storage_class = "THREECOPIES";
    const std::string upload = run(node.store().create_upload(input));
    StringSource whole(bytes_of(kChunk, 33));
    run(node.store().put_part("bucket", "parts", upload, 1, engine::ChecksumAlgorithm::none, nullptr, whole));
    node.conscience().report_failure(node.id(0), "test: failed");
    StringSource short_part(bytes_of(100, 34));
    run(node.store().put_part("bucket", "parts", upload, 2, engine::ChecksumAlgorithm::none, nullptr, short_part));
    CHECK(node.meta().snapshot().catalog().queued_repairs(0, 10).empty());  // parts are queued with their object
    const std::vector<engine::CompletedPart> listed{{1, ""}, {2, ""}};
    const meta::ObjectVersion v =
        run(node.store().complete_upload("bucket", "parts", upload, listed, [](const auto&, const auto&, const auto&) {}));
    const auto queued = node.meta().snapshot().catalog().queued_repairs(0, 10);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].seq == v.seq);
}
