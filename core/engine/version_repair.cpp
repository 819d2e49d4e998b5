#include "core/engine/version_repair.hpp"

#include "core/engine/object_store.hpp"

namespace shoal::engine {
namespace {

bool same_pieces(const std::vector<meta::ChunkRef>& a, const std::vector<meta::ChunkRef>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].chunk_id != b[i].chunk_id || a[i].drive != b[i].drive) return false;
    }
    return true;
}

}  // namespace

void RepairStats::add(const RepairStats& other) {
    versions += other.versions;
    pieces_checked += other.pieces_checked;
    pieces_rebuilt += other.pieces_rebuilt;
    pieces_dropped += other.pieces_dropped;
    bytes_read += other.bytes_read;
    bytes_written += other.bytes_written;
    unrecoverable += other.unrecoverable;
    short_of += other.short_of;
    stale += other.stale;
}

RepairStats repair_version(ObjectStore& store, const std::string& bucket, const meta::ObjectVersion& version,
                           const PieceCheck& check, QueueShort queue_short) {
    RepairStats stats;
    stats.versions = 1;
    if (version.chunks.empty()) return stats;
    const std::string object = bucket + "/" + version.key;
    ec::StoragePolicy policy;  // SINGLE for records from before policies
    if (!version.policy.empty()) {
        const auto parsed = ec::StoragePolicy::parse(version.policy);
        if (!parsed) {
            store.log().warn("cannot repair: unknown storage policy", {{"object", object}, {"policy", version.policy}});
            return stats;
        }
        policy = *parsed;
    }
    RestoredPieces restored = restore_pieces(store, object, policy, version.segment_size, version.chunks, check);
    stats.pieces_checked = restored.pieces_checked;
    stats.bytes_read = restored.bytes_read;
    stats.bytes_written = restored.bytes_written;
    stats.unrecoverable = restored.unrecoverable.size();
    stats.short_of = restored.short_of.size();
    for (const std::string& why : restored.unrecoverable) {
        store.log().error("chunk cannot be rebuilt", {{"error", why}});
    }
    for (const std::string& why : restored.short_of) {
        store.log().warn("chunk rebuilt short of its policy", {{"error", why}});
    }
    // Still short of pieces after this repair: queued, to be done again as
    // soon as a drive can take them.
    const bool queue = queue_short == QueueShort::yes && !restored.short_of.empty();
    const meta::RepairRecord queued{bucket, version.key, version.version_id(), restored.short_of.empty() ? std::string()
                                                                                                      : restored.short_of.front()};
    if (!restored.changed()) {
        if (queue) {
            try {
                store.meta().write([&](meta::Catalog& catalog) { catalog.queue_repair(version.seq, queued); });
                store.report_queued(version.seq);
            } catch (const std::exception& e) {
                store.log().error("cannot queue a repair", {{"object", object}, {"error", e.what()}});
            }
        }
        return stats;
    }

    bool committed = false;
    try {
        store.meta().write([&](meta::Catalog& catalog) {
            const auto record = catalog.bucket(bucket);
            if (!record) return;
            auto current = catalog.version(*record, version.key, version.version_id());
            if (!current || !same_pieces(current->chunks, version.chunks)) return;
            current->chunks = restored.chunks;
            catalog.rewrite_version(*record, *current);
            if (queue) catalog.queue_repair(version.seq, queued);
            committed = true;
        });
    } catch (const std::exception& e) {
        store.log().error("cannot commit a repair", {{"object", object}, {"error", e.what()}});
    }
    if (!committed) {
        ++stats.stale;
        store.remove_chunks(restored.added);
        return stats;
    }
    stats.pieces_rebuilt = restored.added.size();
    stats.pieces_dropped = restored.dropped.size();
    store.log().info("object repaired", {{"object", object}, {"version", version.version_id()},
                                         {"rebuilt", restored.added.size()}, {"dropped", restored.dropped.size()}});
    store.retire_chunks(std::move(restored.dropped));
    if (queue) store.report_queued(version.seq);
    return stats;
}

}  // namespace shoal::engine
