// The writes one write transaction made, in order: what was put or deleted in
// which table. A catalog copy that replays them (store.hpp) becomes the same
// database as the one they were made on, whatever the code that made them
// read (clocks, counters, captured state): the mutations never run twice.
//
// Recorded by Txn::put, Txn::del and Cursor::del while the transaction
// records (Txn::record). A nested transaction keeps its writes apart and
// hands them to its parent when it commits; when it aborts they are dropped
// with it. So a committed transaction's set holds exactly what it changed.
//
// Tables are named by their LMDB handles: every copy opens the same tables
// in the same order, which gives them the same handles (checked at open).
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::meta {

class Txn;

class WriteSet {
public:
    struct Write {
        MDB_dbi table = 0;
        bool put = true;  // false: a delete
        std::string key;
        std::string value;  // puts only
    };

    void put(MDB_dbi table, std::string_view key, std::string_view value);
    void del(MDB_dbi table, std::string_view key);
    // Appends `later`'s writes after these.
    void append(WriteSet&& later);
    void clear();

    bool empty() const { return writes_.empty(); }
    const std::vector<Write>& writes() const { return writes_; }
    std::size_t bytes() const { return bytes_; }  // keys and values held

    // Makes the same writes in `txn`, a write transaction on a database equal
    // to the one they were recorded on. Throws MetaError if one fails, and if
    // a deleted key is not there (then the databases were not equal).
    void replay(Txn& txn) const;

private:
    std::vector<Write> writes_;
    std::size_t bytes_ = 0;
};

}  // namespace shoal::meta
