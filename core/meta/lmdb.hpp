// Thin RAII wrappers over LMDB: environment, transactions, cursors.
//
// Every LMDB failure becomes a MetaError naming the operation and LMDB's
// reason. MDB_NOTLS is used, so a read transaction may move between threads
// (coroutines resume on other threads); a write transaction stays on the
// thread that began it (LMDB's rule), which is the group committer's.
// A write transaction can record what it writes (write_set.hpp), for the
// catalog's mirror copies.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/meta/write_set.hpp"

namespace shoal::meta {

class MetaError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Raised when a stored record cannot be decoded: never silently skipped.
class CorruptRecord : public MetaError {
public:
    using MetaError::MetaError;
};

// Raised when the map has no room for a write: LMDB's MDB_MAP_FULL, the
// reserve that keeps deletes possible (capacity.hpp), or a full device
// (ENOSPC, EDQUOT) under the database file. The transaction that
// saw it must be aborted; the store itself is intact.
class MetaFull : public MetaError {
public:
    using MetaError::MetaError;
};

// How much of the map a transaction's view of the database occupies.
struct MapUsage {
    std::uint64_t page_size = 0;
    std::uint64_t map_pages = 0;   // the map's capacity
    std::uint64_t used_pages = 0;  // pages of every open database's tree, the free-page list's included,
                                   // and the two meta pages; free pages are not counted
    std::uint64_t last_committed_pages = 0;  // pages up to the highest one the last commit used (file size)
};

// The read transactions (snapshots) open on an environment. Each holds one
// of its 512 reader slots, and keeps every page it sees from being reused:
// an old one makes each commit take new pages, and the map grows.
struct ReaderStats {
    std::uint64_t open = 0;
    std::uint64_t oldest_behind = 0;  // commits made since the oldest open one began (0: none open)
};

[[noreturn]] void throw_lmdb(const char* operation, int rc);

inline MDB_val to_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view to_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

class Env {
public:
    // Opens (creating) the environment in directory `path`, with room for up
    // to `map_size` bytes and `max_dbs` named databases. When the address
    // space cannot hold a map that large (32-bit boards, qemu-user), the size
    // is halved until it fits, down to `min_map_size`. LMDB never maps less
    // than the database already holds, so a smaller size than before is raised
    // to that; map_size() tells the size in force.
    Env(const std::string& path, std::uint64_t map_size, unsigned max_dbs,
        std::uint64_t min_map_size = std::uint64_t{64} << 20);
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    MDB_env* get() const { return env_; }
    std::uint64_t map_size() const { return map_size_; }
    ReaderStats readers() const;  // reads LMDB's reader table: no transaction needed

private:
    MDB_env* env_ = nullptr;
    std::uint64_t map_size_ = 0;
};

class Txn {
public:
    enum Mode { read_only, read_write };
    Txn(const Env& env, Mode mode);
    // A nested write transaction. If the parent records, so does the child:
    // its writes join the parent's when it commits.
    Txn(Txn& parent);
    ~Txn();  // aborts unless committed
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;

    void commit();
    void abort();
    MDB_txn* get() const { return txn_; }
    bool writable() const { return writable_; }

    // From now on, put and del (and Cursor::del) are recorded into `writes`
    // (a top-level write transaction; `writes` must outlive it).
    void record(WriteSet& writes) { writes_ = &writes; }
    WriteSet* recording() const { return writes_; }

    MDB_dbi open_db(const char* name, unsigned flags);
    bool has_db(const char* name);  // whether the named database exists (write transactions)
    std::optional<std::string_view> get(MDB_dbi dbi, std::string_view key) const;  // valid until txn ends
    // As this transaction sees it, its own writes included.
    MapUsage usage() const;
    void put(MDB_dbi dbi, std::string_view key, std::string_view value);
    bool del(MDB_dbi dbi, std::string_view key);  // false if absent

private:
    MDB_txn* txn_ = nullptr;
    bool writable_;
    Txn* parent_ = nullptr;        // of a nested transaction
    WriteSet* writes_ = nullptr;   // where writes are recorded, if anywhere
    WriteSet nested_writes_;       // a recording nested transaction's, until it commits
};

class Cursor {
public:
    Cursor(const Txn& txn, MDB_dbi dbi);  // the transaction must outlive the cursor
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    // Positions at the first key >= `key`; false if none.
    bool seek(std::string_view key);
    bool first();
    bool last();
    bool next();
    bool prev();
    // Deletes the entry under the cursor (write transactions).
    void del();

    std::string_view key() const { return to_view(key_); }
    std::string_view value() const { return to_view(value_); }

private:
    bool move(MDB_cursor_op op);

    MDB_cursor* cursor_ = nullptr;
    MDB_dbi dbi_;
    WriteSet* writes_;  // the transaction's record of its writes, if it keeps one
    MDB_val key_{};
    MDB_val value_{};
};

}  // namespace shoal::meta
