// How full the metadata map may get.
//
// LMDB copies every page it changes (copy-on-write), deletes included, and
// cannot reuse the pages the last commit freed: a delete needs free pages
// too. Were new records admitted until the map was full, the way out
// (deleting objects) could fail with MDB_MAP_FULL as well. So writes that
// make the database grow (buckets, object versions, delete markers, uploads,
// parts) are refused with MetaFull once the database would occupy more than
// the map minus a reserve; deletes are never refused by this check, and the
// reserve absorbs the copies a group commit makes. docs/capacity.md gives
// the figures.
#pragma once

#include <cstdint>

#include "core/meta/lmdb.hpp"

namespace shoal::meta {

// The part of a map of `map_size` bytes kept for deletes and copies: 1/32 of
// the map, at least 4 MiB (1,024 pages of 4 KiB: the copies of a group of a
// few hundred scattered writes), at most 64 MiB (a whole group of 512).
std::uint64_t reserved_bytes(std::uint64_t map_size);

// The bytes new records may occupy in a map of `map_size` bytes.
std::uint64_t admission_limit_bytes(std::uint64_t map_size);

// Throws MetaFull, naming the usage, when the database as `txn` sees it
// occupies more than the admission limit. Called after each write that may
// make the database grow, so a write that fits where pages have room (a key
// put back where one was deleted) is admitted, and one that needs new pages
// past the limit is refused; the caller's (nested) transaction is then
// aborted, leaving no trace of it.
void check_room(const Txn& txn);

// The same check before a write begins, asking for `headroom` bytes more than
// the database occupies now: an upload is refused before its body travels
// once the store is within that much of its limit (the check after the write
// still decides exactly).
void check_room(const MapUsage& usage, std::uint64_t headroom);

}  // namespace shoal::meta
