#include "core/meta/write_set.hpp"

#include <iterator>

#include "core/meta/lmdb.hpp"

namespace shoal::meta {

void WriteSet::put(MDB_dbi table, std::string_view key, std::string_view value) {
    writes_.push_back(Write{table, true, std::string(key), std::string(value)});
    bytes_ += key.size() + value.size();
}

void WriteSet::del(MDB_dbi table, std::string_view key) {
    writes_.push_back(Write{table, false, std::string(key), {}});
    bytes_ += key.size();
}

void WriteSet::append(WriteSet&& later) {
    if (writes_.empty()) {
        writes_ = std::move(later.writes_);
    } else {
        writes_.insert(writes_.end(), std::make_move_iterator(later.writes_.begin()),
                       std::make_move_iterator(later.writes_.end()));
    }
    bytes_ += later.bytes_;
    later.clear();
}

void WriteSet::clear() {
    writes_.clear();
    bytes_ = 0;
}

void WriteSet::replay(Txn& txn) const {
    for (const Write& w : writes_) {
        if (w.put) {
            txn.put(w.table, w.key, w.value);
        } else if (!txn.del(w.table, w.key)) {
            throw MetaError("metadata store: replaying a write set: a deleted key is missing (table " +
                            std::to_string(w.table) + "): the copies differ");
        }
    }
}

}  // namespace shoal::meta
