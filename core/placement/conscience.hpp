// The conscience: a score per drive from live metrics, and the choice of a
// drive for each new chunk, score-weighted at random.
//
// Write score (0-100): 0 when the drive failed I/O or its free space is under
// the hard floor; otherwise the percentage of free space, lowered by the
// device's I/O load (io_load.hpp) by up to `max_load_penalty` percent — a busy
// drive gets fewer new chunks, never none, so a node whose drives are all
// busy still takes writes. A score may rise only `max_rise` points per refresh
// but falls at once, so a fresh empty drive draws more writes without being
// flooded, and a failing one stops at once.
// Read scores come with degraded reads (a full drive keeps serving reads).
//
// Thread-safe. Levels above the drive (node, rack, site) plug in as a
// location path when the grid arrives; choices are recorded in metadata, so
// scores never move existing data.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/placement/io_load.hpp"

namespace shoal::placement {

struct ConscienceOptions {
    std::uint64_t min_free_bytes = 64ull << 20;  // hard floor: below it, no new chunk
    int max_rise = 10;                             // points per refresh
    int max_load_penalty = 75;                     // percent of the score taken at 100 % I/O load
    std::chrono::milliseconds refresh_interval{5000};
    std::filesystem::path diskstats = "/proc/diskstats";
};

struct DriveScore {
    std::uint64_t id = 0;
    std::filesystem::path path;
    int write_score = 0;
    std::uint64_t free_bytes = 0;
    std::uint64_t total_bytes = 0;
    bool failed = false;
    int io_load = 0;         // percent of the last interval the device was busy
    std::string io_device;   // the block device whose load counts; empty if unknown
    std::string why;         // for operators: what set the score
};

class Conscience {
public:
    struct DriveInfo {
        std::uint64_t id;
        std::filesystem::path path;
    };
    Conscience(std::vector<DriveInfo> drives, ConscienceOptions options);

    // A drive for a new chunk, or nullopt if no drive can take writes.
    // Refreshes the scores first when they are older than refresh_interval.
    std::optional<std::uint64_t> pick_for_write();

    // Up to `count` different drives for the pieces of one segment (copies or
    // fragments), each drawn score-weighted from those not drawn yet; fewer
    // when fewer drives take writes (the caller weighs that against its
    // policy's quorum). Ordered as drawn. Drives in `exclude` are never
    // drawn (repairs: those already holding a piece of the segment).
    std::vector<std::uint64_t> pick_distinct_for_write(std::size_t count, const std::vector<std::uint64_t>& exclude = {});

    // A drive attached while running: scored at once (no slow rise: an empty
    // drive takes its share of new writes right away).
    void add_drive(DriveInfo drive);

    // An I/O error on a drive drops its score to 0 for good (failed: until
    // the node restarts, or a rebuild replaces the drive).
    void report_failure(std::uint64_t drive, const std::string& why);
    // A write found the drive full: its score drops to 0 at once, and the
    // next refresh scores it from its free space again (so it takes writes
    // once space is freed above the floor).
    void report_full(std::uint64_t drive, const std::string& why);

    void refresh();
    std::vector<DriveScore> scores();
    // scores(), refreshed first when older than refresh_interval (as a pick
    // would): for those who watch drives become writable again.
    std::vector<DriveScore> current_scores();

private:
    void refresh_locked();

    const ConscienceOptions options_;
    std::mutex mutex_;
    std::vector<DriveScore> drives_;
    std::vector<IoLoad> loads_;  // one per drive, same order
    std::chrono::steady_clock::time_point refreshed_{};
    std::mt19937_64 random_;
};

}  // namespace shoal::placement
