// Removes chunk files that no metadata references: left by a crash between a
// chunk's durable rename and the commit of the metadata pointing to it, or by
// a crash between a delete's commit and the removal of its chunks.
//
// Safe while the node serves: only chunks last modified before `before`
// (the process start) are considered, and every chunk this process writes is
// newer, so no write in flight can lose its chunks. A chunk is kept when any
// version of its owner key, or the multipart upload named in its owner,
// lists it, and when a record it may belong to is damaged (it cannot vouch
// either way). Blocking: run it on the blocking pool.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/engine/object_store.hpp"

namespace shoal::engine {

struct OrphanStats {
    std::uint64_t scanned = 0;
    std::uint64_t removed = 0;
    std::uint64_t errors = 0;  // unreadable or damaged files (left for scrub), chunks kept for a damaged record
};

OrphanStats collect_orphans(ObjectStore& store, std::filesystem::file_time_type before);

}  // namespace shoal::engine
