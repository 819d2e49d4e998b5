// The records the metadata store keeps, and their encodings.
//
// Every record starts with a format version; decoders reject versions they do
// not know rather than guess. Records hold everything needed to serve a
// request without today's configuration: an object version records where each
// of its chunks lives (node, drive, chunk id), not how to find it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shoal::meta {

enum class Versioning : std::uint8_t { unversioned = 0, enabled = 1, suspended = 2 };

struct BucketRecord {
    std::string name;
    std::uint64_t id = 0;          // namespace of its objects
    std::uint64_t created_ms = 0;  // unix time, milliseconds
    Versioning versioning = Versioning::unversioned;
    // The storage policy (canonical name) of content written to this bucket
    // without an explicit policy; empty: the node's default.
    std::string policy;
    // Anonymous GET and HEAD of its objects are allowed (an explicit switch,
    // set through the admin API; nothing else is ever anonymous).
    bool public_read = false;
};

// What an access key may do with one bucket (bits of access::Permission).
struct KeyGrant {
    std::uint64_t bucket_id = 0;  // BucketRecord::id: never reused, so a grant dies with its bucket
    std::uint32_t permissions = 0;
};

// An access key other than the node's root key. The secret is stored sealed
// (encrypted and authenticated with the node's key-sealing key, see
// core/access/secret_box.hpp): the metadata store never holds it in clear.
struct KeyRecord {
    std::string access_key;
    std::string name;           // the operator's label
    std::string sealed_secret;  // nonce | ciphertext | tag
    std::uint64_t created_ms = 0;
    bool enabled = true;
    bool create_buckets = false;  // may create buckets (and then owns them)
    std::vector<KeyGrant> grants;  // ordered by bucket_id, one per bucket
};

// Where one piece of an object's data lives. Under a policy of n copies,
// n refs share offset and length (pieces 0..n-1, each a whole copy, on
// different drives); they are adjacent in a version's list, which is ordered
// by offset. Under erasure coding EC<k>+<m>, the k + m refs of a chunk group
// share offset and length (the group's content bytes) and piece is the
// fragment index; each file holds that fragment of every segment of the
// group (core/ec/segment_layout.hpp). Pieces whose write failed are absent.
struct ChunkRef {
    std::string chunk_id;     // the chunk file's id (32 hex digits)
    std::uint64_t drive = 0;  // persistent id of the drive holding it (node ids come with the grid)
    std::uint64_t offset = 0;  // position of the chunk's first byte in the object
    std::uint64_t length = 0;
    std::uint32_t piece = 0;   // which copy (or, with erasure coding, which fragment)
};

struct PartInfo {  // multipart objects: one per part, in order
    std::uint32_t number = 0;
    std::uint64_t size = 0;
    std::string etag;
};

struct ObjectVersion {
    std::string key;
    std::uint64_t seq = 0;  // orders versions of a key, newest highest; unique per node
    bool null_version = false;  // written while versioning was off/suspended: its id is "null"
    bool delete_marker = false;
    std::uint64_t modified_ms = 0;
    std::uint64_t size = 0;
    std::string etag;  // without quotes
    std::string storage_class;
    // Response headers stored with the object (Content-Type, x-amz-meta-*, ...).
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::pair<std::string, std::string>> tags;
    std::string checksum_algorithm;  // "CRC32", "CRC32C", "SHA1", "SHA256" or empty
    std::string checksum;            // base64
    std::string inline_data;         // small objects: the whole content
    std::vector<ChunkRef> chunks;    // larger objects: the content, in order
    std::vector<PartInfo> parts;     // multipart objects
    // The storage policy the chunks were written under (ec::StoragePolicy's
    // canonical name); empty in records from before policies: SINGLE.
    std::string policy;
    // Erasure coding: the segment size of every chunk group (0 for copies).
    std::uint32_t segment_size = 0;
    // The multipart upload this version completed ("" for the others, and in
    // records from before format 4): a CompleteMultipartUpload retried after
    // it succeeded finds its result by it.
    std::string upload_id;

    std::string version_id() const;  // "null" or a 16-hex-digit id
};

// A multipart upload in progress.
struct UploadRecord {
    std::string upload_id;
    std::string bucket;
    std::string key;
    std::uint64_t seq = 0;  // initiation order (listing orders uploads of a key by it)
    std::uint64_t initiated_ms = 0;
    std::string storage_class;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::pair<std::string, std::string>> tags;
    std::string checksum_algorithm;
    // The policy (canonical name) and EC segment size every part is written
    // under, fixed when the upload starts; empty in older records (then each
    // part takes the policy of its day).
    std::string policy;
    std::uint32_t segment_size = 0;
};

// One uploaded part of a multipart upload; its data is always in chunks.
struct PartRecord {
    std::uint32_t number = 0;
    std::uint64_t size = 0;
    std::string etag;  // hex MD5 of the part, without quotes
    std::uint64_t modified_ms = 0;
    std::string checksum;  // base64, of the upload's checksum algorithm, if any
    std::vector<ChunkRef> chunks;  // offsets relative to the part's start
    std::string policy;            // as ObjectVersion::policy
    std::uint32_t segment_size = 0;  // as ObjectVersion::segment_size
};

// What listing needs of a key's current version, kept apart from the full
// record so that a list page reads only small entries.
struct ObjectSummary {
    std::uint64_t seq = 0;
    std::uint64_t modified_ms = 0;
    std::uint64_t size = 0;
    std::string etag;
    std::string storage_class;
};

std::string encode(const BucketRecord& r);
BucketRecord decode_bucket(std::string_view bytes);
std::string encode(const KeyRecord& r);
KeyRecord decode_key(std::string_view bytes);
std::string encode(const ObjectVersion& r);
ObjectVersion decode_version(std::string_view bytes);
std::string encode(const ObjectSummary& r);
ObjectSummary decode_summary(std::string_view bytes);

std::string encode(const UploadRecord& r);
UploadRecord decode_upload(std::string_view bytes);
std::string encode(const PartRecord& r);
PartRecord decode_part(std::string_view bytes);

ObjectSummary summary_of(const ObjectVersion& v);

// Version ids as S3 shows them; parse returns false for ids this store never issued.
std::string format_version_id(std::uint64_t seq);
bool parse_version_id(std::string_view id, std::uint64_t& seq);

}  // namespace shoal::meta
