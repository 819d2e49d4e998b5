#include "core/engine/orphan_collector.hpp"

#include <algorithm>

#include "core/meta/store.hpp"

namespace shoal::engine {
namespace {

bool lists(const std::vector<meta::ChunkRef>& chunks, const std::string& id) {
    return std::any_of(chunks.begin(), chunks.end(), [&](const meta::ChunkRef& c) { return c.chunk_id == id; });
}

// Whether metadata references the chunk described by `header`.
bool referenced(const meta::Catalog& catalog, const chunk::ChunkHeader& header) {
    const std::string id = header.id.to_string();
    const chunk::ChunkOwner& owner = header.owner;
    if (owner.part_number != 0) {
        // A multipart part: still in its upload, or in the completed object.
        if (auto part = catalog.part(owner.version_id, owner.part_number); part && lists(part->chunks, id)) {
            return true;
        }
    }
    const auto bucket = catalog.bucket(owner.bucket);
    if (!bucket) return false;
    meta::VersionsQuery query;
    query.prefix = owner.key;
    query.max_keys = 1000;
    query.list_damaged = true;
    while (true) {
        const meta::VersionsPage page = catalog.list_versions(*bucket, query);
        for (const meta::ListedVersion& listed : page.versions) {
            if (listed.version.key != owner.key) return false;  // past the key's versions
            if (!listed.damaged.empty()) return true;  // it may list the chunk: kept
            if (lists(listed.version.chunks, id)) return true;
        }
        if (!page.truncated) return false;
        query.key_marker = page.next_key_marker;
        query.version_id_marker = page.next_version_id_marker;
    }
}

}  // namespace

OrphanStats collect_orphans(ObjectStore& store, std::filesystem::file_time_type before) {
    OrphanStats stats;
    for (const Drive& drive : store.drives()) {
        drive.chunks->scan(
            [&](const chunk::ScannedChunk& found) {
                ++stats.scanned;
                std::error_code ec;
                const auto modified = std::filesystem::last_write_time(found.file, ec);
                if (ec || modified >= before) return;
                const meta::Snapshot snapshot = store.meta().snapshot();
                try {
                    if (referenced(snapshot.catalog(), found.header)) return;
                } catch (const meta::CorruptRecord& e) {
                    // A damaged record may be the one that lists it: kept.
                    ++stats.errors;
                    store.log().error("orphan collection: chunk kept, a metadata record it may belong to is damaged",
                                      {{"chunk", found.file.string()}, {"error", e.what()}});
                    return;
                }
                if (drive.chunks->remove(found.header.id)) ++stats.removed;
            },
            [&](const chunk::ChunkError&) { ++stats.errors; });
    }
    return stats;
}

}  // namespace shoal::engine
