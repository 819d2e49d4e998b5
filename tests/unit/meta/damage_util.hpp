// Damages stored metadata records the way a bad sector or a bug would: the
// store must be closed (one LMDB environment per process and directory).
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/meta/lmdb.hpp"

namespace shoal::testing {

// Replaces the value of every entry of `table` (a database of the store in
// `dir`: "versions", "buckets", "parts", ...) for which `pick(value)` holds
// by `change(value)`; returns how many were changed.
inline int damage_records(const std::filesystem::path& dir, const char* table,
                          const std::function<bool(std::string_view)>& pick,
                          const std::function<std::string(std::string)>& change) {
    meta::Env env(dir.string(), std::uint64_t{64} << 20, 16);
    meta::Txn txn(env, meta::Txn::read_write);
    const MDB_dbi dbi = txn.open_db(table, 0);
    std::vector<std::pair<std::string, std::string>> changed;
    {
        meta::Cursor cursor(txn, dbi);
        for (bool ok = cursor.first(); ok; ok = cursor.next()) {
            if (pick(cursor.value())) changed.emplace_back(cursor.key(), change(std::string(cursor.value())));
        }
    }
    for (const auto& [key, value] : changed) txn.put(dbi, key, value);
    txn.commit();
    return static_cast<int>(changed.size());
}

// Whether a record's bytes hold `text` (e.g. an object key).
inline std::function<bool(std::string_view)> holding(std::string text) {
    return [text = std::move(text)](std::string_view value) { return value.find(text) != std::string_view::npos; };
}

}  // namespace shoal::testing
