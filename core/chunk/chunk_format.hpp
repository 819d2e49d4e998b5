// The chunk file format, version 1: constants, the header, its encoding and
// the arithmetic that maps data bytes to file offsets. Pure functions, no I/O
// (ChunkWriter and ChunkReader do that). docs/chunk-format.md describes the
// layout byte by byte.
//
//   header (H bytes) | block 0 | crc 0 | block 1 | crc 1 | ... | block n-1 | crc n-1
//
// - All integers are little-endian, fixed width.
// - The header is self-describing: magic "SHOALCK1", version, its own length H,
//   chunk id, data length D, block size B, CRC-32C of the whole data, the
//   owner (bucket, key, version id, part number, chunk index, offset in the
//   object), the codec (policy name, k, m, fragment index, segment size), and
//   a CRC-32C of the header itself in its last 4 bytes.
// - Data follows in blocks of B bytes (the last may be shorter; none when
//   D == 0), each followed by its 4-byte check: CRC-32C over the block's bytes,
//   then the block index (8 bytes LE), then the 16-byte chunk id. Binding the
//   index and id into the check means a block read from the wrong place (a
//   misdirected write, another chunk's file) fails like a damaged one.
// - So the file is exactly H + D + 4 * ceil(D / B) bytes; anything else is a
//   truncated or extended file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/chunk/chunk_id.hpp"

namespace shoal::chunk {

inline constexpr std::string_view kMagic = "SHOALCK1";
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::uint32_t kFixedHeaderSize = 72;  // up to the variable owner section
inline constexpr std::uint32_t kMaxHeaderSize = 4096;  // readers refuse larger headers
inline constexpr std::uint32_t kBlockCheckSize = 4;    // CRC-32C after each block

inline constexpr std::uint32_t kDefaultBlockSize = 64 * 1024;
inline constexpr std::uint32_t kMinBlockSize = 512;
inline constexpr std::uint32_t kMaxBlockSize = 16 * 1024 * 1024;
inline constexpr std::uint64_t kMaxDataLength = std::uint64_t{1} << 40;  // 1 TiB: far beyond any chunk

inline constexpr std::size_t kMaxBucketBytes = 255;
inline constexpr std::size_t kMaxKeyBytes = 1024;  // S3's limit, UTF-8 bytes
inline constexpr std::size_t kMaxVersionBytes = 255;
inline constexpr std::size_t kMaxPolicyBytes = 255;

// Whose data a chunk holds and where it goes: enough to re-index a drive from
// its chunks alone.
struct ChunkOwner {
    std::string bucket;
    std::string key;         // the full object key (UTF-8 bytes, up to 1024)
    std::string version_id;  // the object version (for a multipart part: the upload id)
    std::uint32_t part_number = 0;  // 0: a plain object; 1..10000: a multipart part
    std::uint32_t index = 0;        // position of this chunk in the object (or part)
    std::uint64_t offset = 0;       // byte offset of the chunk's data in the object (or part)

    friend bool operator==(const ChunkOwner&, const ChunkOwner&) = default;
};

// How the chunk's data relates to the object's: reserved for erasure coding
// (recorded now, interpreted by core/ec later). The defaults mean "the data
// itself" (a single copy or one of several full copies).
struct ChunkCodec {
    std::string policy;           // storage policy name, e.g. "THREECOPIES", "EC6+3"; may be empty
    std::uint8_t k = 1;           // data fragments
    std::uint8_t m = 0;           // parity fragments
    std::uint8_t fragment = 0;    // this chunk's fragment index, < k + m
    std::uint32_t segment_size = 0;  // EC segment size in bytes, 0 if none

    friend bool operator==(const ChunkCodec&, const ChunkCodec&) = default;
};

// The decoded header of a chunk file.
struct ChunkHeader {
    ChunkId id;
    std::uint64_t data_length = 0;  // D
    std::uint32_t block_size = kDefaultBlockSize;  // B
    std::uint32_t data_crc32c = 0;  // CRC-32C of the D data bytes
    ChunkOwner owner;
    ChunkCodec codec;

    friend bool operator==(const ChunkHeader&, const ChunkHeader&) = default;
};

// "bucket/key (version V, part P, chunk I)", for error messages and logs.
std::string describe_object(const ChunkOwner& owner);

// Why a header cannot be written (a field too long, block size out of range,
// nil id, ...), or empty if it can.
std::string validate_header(const ChunkHeader& header);

// The encoded size H of a valid header.
std::uint32_t encoded_header_size(const ChunkHeader& header);

// Encodes a valid header (check validate_header() first), H bytes.
std::string encode_header(const ChunkHeader& header);

struct DecodedHeader {
    ChunkHeader header;
    std::uint32_t header_size = 0;  // H: where the data blocks start
};

// Decodes the header at the start of `bytes` (the first min(file size,
// kMaxHeaderSize) bytes of a chunk file). On failure returns the reason.
std::variant<DecodedHeader, std::string> decode_header(std::string_view bytes);

// ---- Layout ---------------------------------------------------------------

inline std::uint64_t block_count(std::uint64_t data_length, std::uint32_t block_size) {
    return (data_length + block_size - 1) / block_size;
}

// The exact size of a well-formed chunk file.
inline std::uint64_t chunk_file_size(std::uint32_t header_size, std::uint64_t data_length, std::uint32_t block_size) {
    return header_size + data_length + kBlockCheckSize * block_count(data_length, block_size);
}

// Where block `index` starts in the file.
inline std::uint64_t block_file_offset(std::uint32_t header_size, std::uint32_t block_size, std::uint64_t index) {
    return header_size + index * (std::uint64_t{block_size} + kBlockCheckSize);
}

// The length of block `index` (the last one may be short).
inline std::uint32_t block_length(std::uint64_t data_length, std::uint32_t block_size, std::uint64_t index) {
    const std::uint64_t start = index * block_size;
    const std::uint64_t left = data_length - start;
    return left < block_size ? static_cast<std::uint32_t>(left) : block_size;
}

// The stored check of a block, from the CRC-32C of its data bytes alone
// (so writers and verifiers also get the plain CRC for the whole-data CRC).
std::uint32_t block_check(std::uint32_t data_crc, std::uint64_t index, const ChunkId& id);

}  // namespace shoal::chunk
