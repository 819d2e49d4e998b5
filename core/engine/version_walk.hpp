// Walks every stored object version of every bucket, a page at a time, from
// a cursor that can be saved and resumed (background jobs: scrub, rebuild).
//
//   WalkCursor cursor;                        // the beginning
//   while (!cursor.finished) {
//       WalkPage page = next_versions(store.meta(), cursor, 100);
//       for (auto& [bucket, version] : page.versions) ...   // no snapshot held here
//       cursor = page.next;
//   }
//
// Order: buckets by name, then versions as ListObjectVersions lists them
// (keys in byte order, newest version first). Versions written after the
// cursor passed their place are not visited in this walk (their writes were
// checked when they were made); versions removed meanwhile are simply gone.
// Delete markers and versions without chunks are left out; a version whose
// record is damaged is not returned but named in `damaged` (the walk goes on
// past it).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/meta/records.hpp"
#include "core/meta/store.hpp"

namespace shoal::engine {

struct WalkCursor {
    std::string bucket;      // empty: before the first bucket
    std::string key;         // with version_id: the last version visited
    std::string version_id;
    bool finished = false;
};

struct WalkPage {
    std::vector<std::pair<std::string, meta::ObjectVersion>> versions;  // (bucket name, version without inline data)
    std::vector<std::string> damaged;  // records that could not be decoded: why, naming each object
    WalkCursor next;
};

// The next versions after `cursor`: at most `max` (some pages may be
// shorter, even empty, without the walk being finished).
WalkPage next_versions(const meta::Store& store, const WalkCursor& cursor, std::size_t max);

}  // namespace shoal::engine
