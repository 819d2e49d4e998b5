#include "core/engine/version_walk.hpp"

namespace shoal::engine {

WalkPage next_versions(const meta::Store& store, const WalkCursor& cursor, std::size_t max) {
    WalkPage page;
    page.next = cursor;
    if (cursor.finished) return page;
    const meta::Snapshot snapshot = store.snapshot();
    const meta::Catalog& catalog = snapshot.catalog();
    // The bucket the cursor is in (it may be gone), or the first after it.
    const std::vector<meta::BucketRecord> buckets = catalog.buckets();
    std::size_t b = 0;
    while (b < buckets.size() && buckets[b].name < cursor.bucket) ++b;
    if (b < buckets.size() && buckets[b].name != cursor.bucket) page.next = WalkCursor{buckets[b].name, "", "", false};
    // Up to `max` entries looked at (delete markers count, so that a page
    // of markers cannot make one call walk the whole bucket).
    std::size_t looked = 0;
    while (looked < max) {
        if (b >= buckets.size()) {  // past the last bucket (or none at all)
            page.next = WalkCursor{"", "", "", true};
            break;
        }
        meta::VersionsQuery query;
        query.key_marker = page.next.key;
        query.version_id_marker = page.next.version_id;
        query.max_keys = max - looked;
        query.list_damaged = true;
        const meta::VersionsPage listed = catalog.list_versions(buckets[b], query);
        for (const meta::ListedVersion& entry : listed.versions) {
            ++looked;
            page.next.key = entry.version.key;
            // By sequence even for a null version: resuming needs no record decoded.
            page.next.version_id = meta::format_version_id(entry.version.seq);
            if (!entry.damaged.empty()) {
                page.damaged.push_back(entry.damaged);
                continue;
            }
            if (entry.version.delete_marker || entry.version.chunks.empty()) continue;
            page.versions.emplace_back(buckets[b].name, entry.version);
        }
        if (listed.truncated) break;
        ++b;  // this bucket is done: the next one from its start
        if (b < buckets.size()) page.next = WalkCursor{buckets[b].name, "", "", false};
    }
    return page;
}

}  // namespace shoal::engine
