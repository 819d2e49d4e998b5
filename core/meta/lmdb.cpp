#include "core/meta/lmdb.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>

namespace shoal::meta {

void throw_lmdb(const char* operation, int rc) {
    const std::string what = std::string("metadata store: ") + operation + ": " + mdb_strerror(rc);
    // A full map and a full device both refuse writes but not deletes' reuse of free pages.
    if (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT) throw MetaFull(what);
    throw MetaError(what);
}

Env::Env(const std::string& path, std::uint64_t map_size, unsigned max_dbs, std::uint64_t min_map_size) {
    // mdb_env_set_mapsize takes a size_t: on 32-bit targets the map must fit the address space.
    if (map_size > SIZE_MAX) map_size = SIZE_MAX;
    while (true) {
        int rc = mdb_env_create(&env_);
        if (rc != 0) throw_lmdb("mdb_env_create", rc);
        if ((rc = mdb_env_set_mapsize(env_, static_cast<size_t>(map_size))) == 0 &&
            (rc = mdb_env_set_maxdbs(env_, max_dbs)) == 0 &&
            // Readers: one per thread that may hold a read transaction at once.
            (rc = mdb_env_set_maxreaders(env_, 512)) == 0 &&
            (rc = mdb_env_open(env_, path.c_str(), MDB_NOTLS | MDB_NORDAHEAD, 0600)) == 0) {
            MDB_envinfo info{};
            mdb_env_info(env_, &info);
            map_size_ = info.me_mapsize;  // raised by LMDB if the database is already larger
            return;
        }
        mdb_env_close(env_);
        env_ = nullptr;
        if (rc == ENOMEM && map_size / 2 >= min_map_size) {
            map_size /= 2;
            continue;
        }
        throw MetaError("metadata store " + path + ": " + mdb_strerror(rc) + " (map size " +
                        std::to_string(map_size) + " bytes)");
    }
}

Env::~Env() {
    if (env_ != nullptr) mdb_env_close(env_);
}

ReaderStats Env::readers() const {
    // mdb_reader_list() formats a line per slot in use: "pid thread txnid",
    // the txnid "-" for a slot no transaction holds (none, with MDB_NOTLS).
    struct Seen {
        std::uint64_t open = 0;
        std::uint64_t oldest = UINT64_MAX;
    } seen;
    mdb_reader_list(
        env_,
        [](const char* line, void* context) -> int {
            auto& s = *static_cast<Seen*>(context);
            int pid = 0;
            unsigned long long txnid = 0;
            char thread[32];
            if (std::sscanf(line, "%d %31s %llu", &pid, thread, &txnid) == 3) {
                ++s.open;
                s.oldest = std::min<std::uint64_t>(s.oldest, txnid);
            }
            return 0;
        },
        &seen);
    ReaderStats stats;
    stats.open = seen.open;
    if (seen.open > 0) {
        MDB_envinfo info{};
        mdb_env_info(env_, &info);
        stats.oldest_behind = info.me_last_txnid > seen.oldest ? info.me_last_txnid - seen.oldest : 0;
    }
    return stats;
}

Txn::Txn(const Env& env, Mode mode) : writable_(mode == read_write) {
    const int rc = mdb_txn_begin(env.get(), nullptr, writable_ ? 0 : MDB_RDONLY, &txn_);
    if (rc != 0) throw_lmdb("mdb_txn_begin", rc);
}

Txn::Txn(Txn& parent) : writable_(true), parent_(&parent) {
    const int rc = mdb_txn_begin(mdb_txn_env(parent.get()), parent.get(), 0, &txn_);
    if (rc != 0) throw_lmdb("mdb_txn_begin (nested)", rc);
    if (parent.writes_ != nullptr) writes_ = &nested_writes_;
}

Txn::~Txn() { abort(); }

void Txn::commit() {
    MDB_txn* txn = txn_;
    txn_ = nullptr;
    const int rc = mdb_txn_commit(txn);
    if (rc != 0) throw_lmdb("mdb_txn_commit", rc);
    if (parent_ != nullptr && writes_ != nullptr) parent_->writes_->append(std::move(nested_writes_));
}

void Txn::abort() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    txn_ = nullptr;
}

MDB_dbi Txn::open_db(const char* name, unsigned flags) {
    MDB_dbi dbi = 0;
    const int rc = mdb_dbi_open(txn_, name, flags, &dbi);
    if (rc != 0) throw_lmdb("mdb_dbi_open", rc);
    return dbi;
}

bool Txn::has_db(const char* name) {
    MDB_dbi dbi = 0;
    const int rc = mdb_dbi_open(txn_, name, 0, &dbi);
    if (rc == MDB_NOTFOUND) return false;
    if (rc != 0) throw_lmdb("mdb_dbi_open", rc);
    return true;
}

std::optional<std::string_view> Txn::get(MDB_dbi dbi, std::string_view key) const {
    MDB_val k = to_val(key);
    MDB_val v{};
    const int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    if (rc != 0) throw_lmdb("mdb_get", rc);
    return to_view(v);
}

MapUsage Txn::usage() const {
    MDB_env* env = mdb_txn_env(txn_);
    MDB_envinfo info{};
    MDB_stat stat{};
    int rc = mdb_env_info(env, &info);
    if (rc == 0) rc = mdb_env_stat(env, &stat);
    if (rc != 0) throw_lmdb("mdb_env_info", rc);
    MapUsage usage;
    usage.page_size = stat.ms_psize;
    usage.map_pages = info.me_mapsize / stat.ms_psize;
    usage.last_committed_pages = info.me_last_pgno + 1;
    usage.used_pages = 2;  // the meta pages
    // Handles are numbered from 0 (free pages), 1 (the main database, which
    // names the others) upwards, without gaps since none is ever closed.
    for (MDB_dbi dbi = 0;; ++dbi) {
        rc = mdb_stat(txn_, dbi, &stat);
        if (rc == EINVAL) break;  // past the last open database
        if (rc != 0) throw_lmdb("mdb_stat", rc);
        usage.used_pages += stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages;
    }
    return usage;
}

void Txn::put(MDB_dbi dbi, std::string_view key, std::string_view value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    const int rc = mdb_put(txn_, dbi, &k, &v, 0);
    if (rc != 0) throw_lmdb("mdb_put", rc);
    if (writes_ != nullptr) writes_->put(dbi, key, value);
}

bool Txn::del(MDB_dbi dbi, std::string_view key) {
    MDB_val k = to_val(key);
    const int rc = mdb_del(txn_, dbi, &k, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    if (rc != 0) throw_lmdb("mdb_del", rc);
    if (writes_ != nullptr) writes_->del(dbi, key);
    return true;
}

Cursor::Cursor(const Txn& txn, MDB_dbi dbi) : dbi_(dbi), writes_(txn.recording()) {
    const int rc = mdb_cursor_open(txn.get(), dbi, &cursor_);
    if (rc != 0) throw_lmdb("mdb_cursor_open", rc);
}

Cursor::~Cursor() { mdb_cursor_close(cursor_); }

bool Cursor::move(MDB_cursor_op op) {
    const int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
    if (rc == MDB_NOTFOUND) return false;
    if (rc != 0) throw_lmdb("mdb_cursor_get", rc);
    return true;
}

bool Cursor::seek(std::string_view key) {
    key_ = to_val(key);
    return move(MDB_SET_RANGE);
}
bool Cursor::first() { return move(MDB_FIRST); }
bool Cursor::last() { return move(MDB_LAST); }
bool Cursor::next() { return move(MDB_NEXT); }
bool Cursor::prev() { return move(MDB_PREV); }

void Cursor::del() {
    // The key under the cursor, copied before the delete changes its page.
    std::string deleted;
    if (writes_ != nullptr) deleted = std::string(key());
    const int rc = mdb_cursor_del(cursor_, 0);
    if (rc != 0) throw_lmdb("mdb_cursor_del", rc);
    if (writes_ != nullptr) writes_->del(dbi_, deleted);
}

}  // namespace shoal::meta
