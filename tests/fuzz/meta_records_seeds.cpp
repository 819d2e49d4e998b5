// Writes the seed corpus of the meta_records fuzzer: records encoded by the
// real encoders (core/meta/records.cpp), shaped as the engine writes them
// (inline, THREECOPIES and EC4+2 objects, a multipart object, a delete marker,
// buckets, an access key, an upload and its part, a repair-queue entry),
// records of the older
// formats the decoders still read, and a few inputs of the generated form.
//
//   build/fuzz/tests/fuzz/meta_records_seeds tests/fuzz/corpus/meta_records
//
// The seeds are committed; run it again only to change them. Each file is
// the fuzzer's input: a type byte (0 bucket, 1 access key, 2 object version,
// 3 summary, 4 upload, 5 part, 6 repair; 0x80 set: the generated form) and
// the record.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/meta/codec.hpp"
#include "core/meta/records.hpp"

namespace {

using namespace shoal::meta;

std::filesystem::path out_dir;

void seed(const std::string& name, char type, const std::string& record) {
    std::ofstream(out_dir / ("seed-" + name), std::ios::binary) << type << record;
}

std::string id(int n) {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%032x", n * 0x9e3779b9u);
    return buf;
}

ObjectVersion base(const std::string& key, std::uint64_t size) {
    ObjectVersion v;
    v.key = key;
    v.seq = 0x0662114d6b94bb00;
    v.modified_ms = 1780000000000;
    v.size = size;
    v.etag = "d41d8cd98f00b204e9800998ecf8427e";
    v.storage_class = "STANDARD";
    v.headers = {{"Content-Type", "image/jpeg"}, {"x-amz-meta-camera", "pi"}};
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    out_dir = argv[1];
    std::filesystem::create_directories(out_dir);

    ObjectVersion small = base("photos/2026/cat.jpg", 11);
    small.inline_data = "hello world";
    small.tags = {{"project", "blue"}};
    small.checksum_algorithm = "CRC32C";
    small.checksum = "yZRlqg==";
    small.null_version = true;
    seed("version-inline", 2, encode(small));

    ObjectVersion copies = base("logs/big.log", 150000);
    copies.storage_class = "THREECOPIES";
    copies.policy = "THREECOPIES";
    for (std::uint64_t offset = 0, n = 0; offset < copies.size; offset += 65536) {
        const std::uint64_t length = std::min<std::uint64_t>(65536, copies.size - offset);
        for (std::uint32_t piece = 0; piece < 3; ++piece) {
            copies.chunks.push_back(ChunkRef{id(static_cast<int>(++n)), std::uint64_t{0x42e59ae4f65d2945} + piece, offset, length, piece});
        }
    }
    seed("version-copies", 2, encode(copies));

    ObjectVersion coded = base("video.mp4", 300000);
    coded.policy = "EC4+2";
    coded.segment_size = 1 << 20;
    for (std::uint32_t piece = 0; piece < 6; ++piece) {
        if (piece == 4) continue;  // a fragment whose drive failed during the upload
        coded.chunks.push_back(ChunkRef{id(static_cast<int>(100 + piece)), std::uint64_t{0x1602753} + piece, 0, 300000, piece});
    }
    seed("version-ec", 2, encode(coded));

    ObjectVersion multipart = base("backup.tar", 200000);
    multipart.etag = "a54357aff0632cce46d942af68356b38-2";
    multipart.upload_id = "0662114d6b94bb00a1b2c3d4e5f60718";
    multipart.policy = "TWOCOPIES";
    multipart.parts = {PartInfo{1, 120000, "0c78aef83f66abc1fa1e8477f296d394"},
                       PartInfo{3, 80000, "9b2cf535f27731c974343645a3985328"}};
    for (std::uint32_t piece = 0; piece < 2; ++piece) multipart.chunks.push_back(ChunkRef{id(200 + static_cast<int>(piece)), piece, 0, 120000, piece});
    for (std::uint32_t piece = 0; piece < 2; ++piece) multipart.chunks.push_back(ChunkRef{id(300 + static_cast<int>(piece)), piece, 120000, 80000, piece});
    seed("version-multipart", 2, encode(multipart));

    ObjectVersion marker = base("photos/2026/cat.jpg", 0);
    marker.headers.clear();
    marker.etag.clear();
    marker.delete_marker = true;
    seed("version-delete-marker", 2, encode(marker));

    // Format 1 (before storage policies): no piece numbers, policy or segment size.
    Encoder v1;
    v1.u64(1);
    v1.bytes("old/key");
    v1.u64(5);
    v1.boolean(false);
    v1.boolean(false);
    v1.u64(1000);
    v1.u64(10);
    v1.bytes("etag");
    v1.bytes("STANDARD");
    v1.u64(0);
    v1.u64(0);
    v1.bytes("");
    v1.bytes("");
    v1.bytes("");
    v1.u64(1);
    v1.bytes(id(7));
    v1.u64(9);
    v1.u64(0);
    v1.u64(10);
    v1.u64(0);
    seed("version-format-1", 2, v1.take());

    seed("summary", 3, encode(summary_of(copies)));

    BucketRecord bucket{"photos", 3, 1780000000000, Versioning::enabled, "EC4+2", true};
    seed("bucket", 0, encode(bucket));
    Encoder b1;
    b1.u64(1);
    b1.bytes("old");
    b1.u64(3);
    b1.u64(1000);
    b1.u64(2);
    seed("bucket-format-1", 0, b1.take());

    KeyRecord key{"SKABCDEFGHIJKLMNOPQR", "backups", std::string("\0\1sealed-secret-bytes", 21), 1780000000000,
                  true, false, {KeyGrant{3, 1}, KeyGrant{9, 7}}};
    seed("key", 1, encode(key));

    UploadRecord upload{"0662114d6b94bb00a1b2c3d4e5f60718", "photos", "backup.tar", 7, 1780000000000, "STANDARD",
                        {{"Content-Type", "application/x-tar"}}, {{"k", "v"}}, "SHA256", "EC4+2", 1 << 20};
    seed("upload", 4, encode(upload));
    Encoder u1;
    u1.u64(1);
    u1.bytes("id");
    u1.bytes("bucket");
    u1.bytes("key");
    u1.u64(1);
    u1.u64(2);
    u1.bytes("STANDARD");
    u1.u64(0);
    u1.u64(0);
    u1.bytes("");
    seed("upload-format-1", 4, u1.take());

    PartRecord part{2, 120000, "0c78aef83f66abc1fa1e8477f296d394", 1780000000000, "n5V7rQ==",
                    {}, "EC2+1", 65536};
    for (std::uint32_t piece = 0; piece < 3; ++piece) part.chunks.push_back(ChunkRef{id(400 + static_cast<int>(piece)), piece, 0, 120000, piece});
    seed("part", 5, encode(part));

    seed("repair", 6, encode(RepairRecord{"photos", "logs/big.log", "0662114d6b94bb00",
                                         "drive 209369a69335675f (/srv/d3): free space under the floor"}));

    // The generated form: the rest of the input drives the record builder.
    for (int type = 0; type < 7; ++type) {
        seed("generated-" + std::to_string(type), static_cast<char>(0x80 | type),
             "some bytes for FuzzedDataProvider to make a record from: " + id(type) + id(type + 1));
    }
    return 0;
}
