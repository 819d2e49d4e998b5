#include "core/chunk/chunk_format.hpp"

#include "core/hash/crc32c.hpp"

namespace shoal::chunk {
namespace {

// Field offsets of the fixed part (docs/chunk-format.md).
constexpr std::size_t kOffVersion = 8;
constexpr std::size_t kOffFlags = 10;
constexpr std::size_t kOffHeaderSize = 12;
constexpr std::size_t kOffId = 16;
constexpr std::size_t kOffDataLength = 32;
constexpr std::size_t kOffBlockSize = 40;
constexpr std::size_t kOffDataCrc = 44;
constexpr std::size_t kOffObjectOffset = 48;
constexpr std::size_t kOffPartNumber = 56;
constexpr std::size_t kOffIndex = 60;
constexpr std::size_t kOffK = 64;
constexpr std::size_t kOffM = 65;
constexpr std::size_t kOffFragment = 66;
constexpr std::size_t kOffSegmentSize = 68;
static_assert(kOffSegmentSize + 4 == kFixedHeaderSize);

// The smallest header: fixed part, four empty strings, header CRC.
constexpr std::uint32_t kMinHeaderSize = kFixedHeaderSize + 4 * 2 + 4;

void put16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_string(std::string& out, std::string_view s) {
    put16(out, static_cast<std::uint16_t>(s.size()));
    out.append(s);
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int width) {
    std::uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    return v;
}
std::uint16_t get16(std::string_view b, std::size_t at) { return static_cast<std::uint16_t>(get_le(b, at, 2)); }
std::uint32_t get32(std::string_view b, std::size_t at) { return static_cast<std::uint32_t>(get_le(b, at, 4)); }
std::uint64_t get64(std::string_view b, std::size_t at) { return get_le(b, at, 8); }

// Reads one length-prefixed string of the variable section, within [at, end).
bool get_string(std::string_view bytes, std::size_t& at, std::size_t end, std::size_t max, std::string& out) {
    if (end - at < 2) return false;
    const std::size_t n = get16(bytes, at);
    at += 2;
    if (n > max || end - at < n) return false;
    out.assign(bytes.substr(at, n));
    at += n;
    return true;
}

std::string validate_fields(const ChunkHeader& h) {
    if (h.block_size < kMinBlockSize || h.block_size > kMaxBlockSize) {
        return "block size " + std::to_string(h.block_size) + " outside [" + std::to_string(kMinBlockSize) + ", " +
               std::to_string(kMaxBlockSize) + "]";
    }
    if (h.data_length > kMaxDataLength) return "data length " + std::to_string(h.data_length) + " too large";
    if (h.owner.bucket.size() > kMaxBucketBytes) return "bucket name longer than " + std::to_string(kMaxBucketBytes) + " bytes";
    if (h.owner.key.size() > kMaxKeyBytes) return "key longer than " + std::to_string(kMaxKeyBytes) + " bytes";
    if (h.owner.version_id.size() > kMaxVersionBytes) return "version id longer than " + std::to_string(kMaxVersionBytes) + " bytes";
    if (h.codec.policy.size() > kMaxPolicyBytes) return "policy name longer than " + std::to_string(kMaxPolicyBytes) + " bytes";
    if (h.codec.k == 0) return "codec k is 0";
    if (h.codec.fragment >= unsigned{h.codec.k} + h.codec.m) {
        return "codec fragment " + std::to_string(h.codec.fragment) + " not below k + m = " +
               std::to_string(unsigned{h.codec.k} + h.codec.m);
    }
    return {};
}

}  // namespace

std::string describe_object(const ChunkOwner& owner) {
    std::string text = owner.bucket + "/" + owner.key;
    text += " (version " + (owner.version_id.empty() ? std::string("-") : owner.version_id);
    if (owner.part_number != 0) text += ", part " + std::to_string(owner.part_number);
    text += ", chunk " + std::to_string(owner.index) + ")";
    return text;
}

std::string validate_header(const ChunkHeader& header) {
    if (header.id.is_nil()) return "nil chunk id";
    return validate_fields(header);
}

std::uint32_t encoded_header_size(const ChunkHeader& h) {
    return static_cast<std::uint32_t>(kMinHeaderSize + h.owner.bucket.size() + h.owner.key.size() +
                                      h.owner.version_id.size() + h.codec.policy.size());
}

std::string encode_header(const ChunkHeader& h) {
    const std::uint32_t size = encoded_header_size(h);
    std::string out;
    out.reserve(size);
    out.append(kMagic);
    put16(out, kFormatVersion);
    put16(out, 0);  // flags: no optional incompatible features in version 1
    put32(out, size);
    out.append(reinterpret_cast<const char*>(h.id.bytes().data()), ChunkId::kBytes);
    put64(out, h.data_length);
    put32(out, h.block_size);
    put32(out, h.data_crc32c);
    put64(out, h.owner.offset);
    put32(out, h.owner.part_number);
    put32(out, h.owner.index);
    out.push_back(static_cast<char>(h.codec.k));
    out.push_back(static_cast<char>(h.codec.m));
    out.push_back(static_cast<char>(h.codec.fragment));
    out.push_back('\0');  // reserved, offset 67
    put32(out, h.codec.segment_size);
    put_string(out, h.owner.bucket);
    put_string(out, h.owner.key);
    put_string(out, h.owner.version_id);
    put_string(out, h.codec.policy);
    put32(out, hash::crc32c(out.data(), out.size()));
    return out;
}

std::variant<DecodedHeader, std::string> decode_header(std::string_view bytes) {
    if (bytes.size() < kMinHeaderSize) {
        return "file too short for a chunk header (" + std::to_string(bytes.size()) + " bytes)";
    }
    if (bytes.substr(0, kMagic.size()) != kMagic) return std::string("not a chunk file (bad magic)");
    const std::uint16_t version = get16(bytes, kOffVersion);
    if (version != kFormatVersion) return "unsupported chunk format version " + std::to_string(version);
    const std::uint32_t size = get32(bytes, kOffHeaderSize);
    if (size < kMinHeaderSize || size > kMaxHeaderSize) return "header length " + std::to_string(size) + " out of range";
    if (size > bytes.size()) return "header length " + std::to_string(size) + " beyond the end of the file";
    const std::uint32_t stored_crc = get32(bytes, size - 4);
    const std::uint32_t crc = hash::crc32c(bytes.data(), size - 4);
    if (stored_crc != crc) return std::string("header checksum mismatch");
    const std::uint16_t flags = get16(bytes, kOffFlags);
    if (flags != 0) return "unsupported header flags " + std::to_string(flags);

    DecodedHeader out;
    out.header_size = size;
    ChunkHeader& h = out.header;
    ChunkId::Bytes id;
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(bytes[kOffId + i]);
    h.id = ChunkId(id);
    h.data_length = get64(bytes, kOffDataLength);
    h.block_size = get32(bytes, kOffBlockSize);
    h.data_crc32c = get32(bytes, kOffDataCrc);
    h.owner.offset = get64(bytes, kOffObjectOffset);
    h.owner.part_number = get32(bytes, kOffPartNumber);
    h.owner.index = get32(bytes, kOffIndex);
    h.codec.k = static_cast<std::uint8_t>(bytes[kOffK]);
    h.codec.m = static_cast<std::uint8_t>(bytes[kOffM]);
    h.codec.fragment = static_cast<std::uint8_t>(bytes[kOffFragment]);
    // Offset 67 is reserved: written 0, ignored.
    h.codec.segment_size = get32(bytes, kOffSegmentSize);

    // The variable section ends at the header CRC; bytes between the last known
    // field and the CRC are ignored (room for compatible additions).
    std::size_t at = kFixedHeaderSize;
    const std::size_t end = size - 4;
    if (!get_string(bytes, at, end, kMaxBucketBytes, h.owner.bucket) ||
        !get_string(bytes, at, end, kMaxKeyBytes, h.owner.key) ||
        !get_string(bytes, at, end, kMaxVersionBytes, h.owner.version_id) ||
        !get_string(bytes, at, end, kMaxPolicyBytes, h.codec.policy)) {
        return std::string("malformed owner section");
    }
    if (h.id.is_nil()) return std::string("nil chunk id");
    if (std::string why = validate_fields(h); !why.empty()) return why;
    return out;
}

std::uint32_t block_check(std::uint32_t data_crc, std::uint64_t index, const ChunkId& id) {
    std::uint8_t trailer[8 + ChunkId::kBytes];
    for (int i = 0; i < 8; ++i) trailer[i] = static_cast<std::uint8_t>(index >> (8 * i));
    for (std::size_t i = 0; i < ChunkId::kBytes; ++i) trailer[8 + i] = id.bytes()[i];
    return hash::crc32c(trailer, sizeof trailer, data_crc);
}

}  // namespace shoal::chunk
