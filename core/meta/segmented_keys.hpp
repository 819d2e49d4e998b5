// Object keys of up to 1024 bytes in LMDB, whose keys stop at 511 bytes,
// keeping the byte order of the full keys (which S3 listing needs).
//
// A logical entry is (namespace, key, suffix) -> value. The namespace is a
// 64-bit id (a bucket's id), the key an S3 object key (no NUL byte), the
// suffix orders several entries of one key (e.g. its versions). It is stored
// under the LMDB key
//
//     ns (8 bytes, big-endian) | key | 0x00 | suffix        when |key| <= kSegment
//
// A longer key is cut after kSegment bytes: its first segment leads, through a
// marker entry  ns | segment | 0x01 -> child ns,  to a child namespace where
// the rest of the key is stored the same way (recursively: 1024 bytes need at
// most three levels). Because a marker's segment is exactly kSegment bytes and
// keys hold no NUL, the marker sorts after the exact key equal to its segment
// and before every key greater than all keys it leads to, so walking entries
// in LMDB order and descending into markers yields full keys in byte order.
//
// Child namespaces are recorded once in the `namespaces` database
// (parent ns | segment -> child ns) and shared by every data database;
// markers live in each data database that has entries below them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/meta/lmdb.hpp"

namespace shoal::meta {

inline constexpr std::size_t kSegment = 480;
inline constexpr std::size_t kMaxObjectKeyBytes = 1024;

std::string encode_u64(std::uint64_t v);           // 8 bytes, big-endian: sorts numerically
std::uint64_t decode_u64(std::string_view bytes);  // throws CorruptRecord unless 8 bytes

// Smallest string greater than every string starting with `prefix`, or
// nullopt if there is none (prefix empty or all 0xFF bytes).
std::optional<std::string> prefix_successor(std::string_view prefix);

class SegmentedKeys {
public:
    // `allocate` hands out fresh namespace ids inside the write transaction.
    using Allocate = std::uint64_t (*)(Txn& txn, void* context);

    SegmentedKeys(MDB_dbi namespaces, Allocate allocate, void* context)
        : namespaces_(namespaces), allocate_(allocate), context_(context) {}

    // The LMDB key for (ns, key, suffix) in `data`, creating child namespaces
    // and markers as needed (write transactions).
    std::string key_for_write(Txn& txn, MDB_dbi data, std::uint64_t ns, std::string_view key,
                              std::string_view suffix) const;

    // The LMDB key for (ns, key, suffix) if the path to it exists, else nullopt.
    std::optional<std::string> key_for_read(const Txn& txn, std::uint64_t ns, std::string_view key,
                                            std::string_view suffix) const;

    // After entries of `key` were deleted from `data`: removes markers in
    // `data` that now lead to empty namespaces.
    void prune(Txn& txn, MDB_dbi data, std::uint64_t ns, std::string_view key) const;

private:
    MDB_dbi namespaces_;
    Allocate allocate_;
    void* context_;
};

// Walks the entries of one namespace of a data database in full-key order.
class SegmentedIterator {
public:
    SegmentedIterator(const Txn& txn, MDB_dbi data, std::uint64_t ns);
    ~SegmentedIterator();

    // Positions at the first entry whose (key, suffix) >= (key, suffix).
    bool seek(std::string_view key, std::string_view suffix = {});
    bool next();
    bool valid() const { return valid_; }

    const std::string& key() const { return key_; }  // the full object key
    std::string_view suffix() const { return suffix_; }
    std::string_view value() const;
    std::string_view lmdb_key() const;

private:
    struct Frame;
    void push(std::uint64_t ns, std::string prefix);
    bool seek_in(std::uint64_t ns, std::string prefix, std::string_view key, std::string_view suffix);
    bool settle();

    const Txn& txn_;
    MDB_dbi data_;
    std::uint64_t root_;
    std::vector<std::unique_ptr<Frame>> frames_;
    bool valid_ = false;
    std::string key_;
    std::string_view suffix_;
};

}  // namespace shoal::meta
