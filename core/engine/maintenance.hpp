// The node's background care of its data, on one thread of its own, in this
// order of urgency:
// 1. repairs of object versions a read found damaged (queued by
//    report_damage: the read was served from the other pieces);
// 2. the repair queue: versions committed (or repaired) with fewer pieces
//    than their policy wants, kept in the catalog (meta::Catalog::
//    queue_repair) so that no restart forgets them. The queue is worked
//    through at start, from a version as soon as it is queued
//    (report_queued), and again whenever a drive starts taking writes (its
//    free space came back, a drive was attached; the drive scores are looked
//    at every drive_look while versions wait) and every kQueueRetry; a
//    version leaves it once it has all its pieces, or is gone. A version no
//    drive taking writes could help (each holds a piece of its short chunks
//    already) is passed over from its metadata alone: a node that lost a
//    drive for good keeps its queue cheap to look at;
// 3. rebuilds: restoring full redundancy for exactly the pieces a lost or
//    replaced drive held, found through the metadata's chunk maps (one
//    drive at a time; progress and ETA in rebuilds());
// 4. scrub: a pass over every object version reading every piece in full
//    at a bounded rate, repairing whatever fails its checks; one pass per
//    interval.
//
// Invariants:
// - Rebuilds and scrub passes save their position (a JobState file in
//   state_dir) after every page of versions, and resume from it after a
//   crash or restart. A page done twice is harmless: repairs are
//   idempotent (version_repair.hpp).
// - Every repair goes through repair_version: nothing is removed before a
//   commit made the new pieces part of the object.
// - Rates bound the bytes read per second by scrub (and rebuild if set), so
//   that clients keep most of the drives' bandwidth.
//
// Thread-safe. stop() (or the destructor) ends the thread within one
// repair; the ObjectStore must outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/engine/object_store.hpp"
#include "core/engine/version_repair.hpp"
#include "core/engine/version_walk.hpp"

namespace shoal::engine {

struct MaintenanceOptions {
    std::filesystem::path state_dir;                 // where job states are saved (the metadata directory)
    std::filesystem::path attached_file;             // drives attached while running (drive_attach.hpp)
    // false: nothing is repaired, scrubbed or rebuilt (damage is only
    // logged; rebuilds wait, saved). For maintenance windows and tests.
    bool enabled = true;
    std::uint64_t scrub_rate = 8u << 20;             // bytes read per second by scrub; 0: no scrub
    std::chrono::milliseconds scrub_interval{std::chrono::hours(24 * 7)};  // from one pass's start to the next
    std::uint64_t rebuild_rate = 0;                  // bytes read per second by rebuilds; 0: no limit
    std::size_t page_versions = 16;                  // versions per page (a position save each)
    // How often the drive scores are looked at while versions of the repair
    // queue wait for a drive (the conscience refreshes them every 5 s).
    std::chrono::milliseconds drive_look{5000};
};

struct ScrubStatus {
    bool enabled = false;
    bool running = false;                  // a pass is under way
    std::uint64_t passes = 0;              // passes completed
    std::uint64_t pass_started_ms = 0;     // unix time of the current (or last) pass's start
    std::uint64_t last_pass_ended_ms = 0;  // 0: none yet
    std::uint64_t next_pass_ms = 0;        // when the next pass is due
    std::string position;                  // "bucket/key" reached by the pass
    RepairStats pass;                      // the current (or last) pass so far
};

struct QueueStatus {
    std::uint64_t passes = 0;     // passes over the repair queue completed
    std::uint64_t repaired = 0;   // versions that got all their pieces back
    std::uint64_t dropped = 0;    // entries of versions gone or already whole
    bool waiting = false;         // versions left that no drive could take yet (after the last pass)
};

struct RebuildStatus {
    std::uint64_t drive = 0;
    std::string state;                     // "counting", "rebuilding" or "done"
    std::uint64_t pieces_total = 0;        // pieces the drive held (counted first)
    std::uint64_t pieces_done = 0;         // of those, handled so far
    std::uint64_t bytes_total = 0;
    std::uint64_t bytes_done = 0;
    std::uint64_t started_ms = 0;
    std::uint64_t ended_ms = 0;
    std::int64_t eta_seconds = -1;         // -1: not known yet
    RepairStats stats;
};

class Maintenance {
public:
    Maintenance(ObjectStore& store, MaintenanceOptions options);
    ~Maintenance();
    Maintenance(const Maintenance&) = delete;
    Maintenance& operator=(const Maintenance&) = delete;

    // Loads saved jobs and starts the thread. Throws if a state file cannot be read.
    void start();
    void stop();

    // Starts restoring the pieces that were on `drive` (a new job, or the one
    // under way for it); returns its status.
    RebuildStatus rebuild(std::uint64_t drive);
    // Queues a repair of one version (a read found some of its pieces bad).
    // A version tried in the last kRetryAfter is not queued again: a repair
    // that could not finish (no drive to take a piece) is not retried at
    // every read; the scrub and rebuilds get to it.
    void report_damage(DamageReport report);
    static constexpr std::chrono::minutes kRetryAfter{10};
    // The pause after a step that failed (e.g. a damaged bucket record).
    static constexpr std::chrono::seconds kRetryFailedStep{60};
    // A version was put in the repair queue (ObjectStore's queued handler):
    // the queue is worked through from it on, at once.
    void report_queued(std::uint64_t seq);
    static constexpr std::chrono::minutes kQueueRetry{10};
    QueueStatus queue_status() const;

    ScrubStatus scrub_status() const;
    std::vector<RebuildStatus> rebuilds() const;
    const MaintenanceOptions& options() const { return options_; }

private:
    struct Rebuild {
        RebuildStatus status;
        WalkCursor cursor;
        // This process's share, for the ETA.
        std::chrono::steady_clock::time_point resumed{};
        std::uint64_t bytes_at_resume = 0;
    };

    void run();
    void repair_damage(const DamageReport& damage);
    void queue_step();
    // Whether a drive started taking writes since the last look (or one was added).
    bool drives_gained();
    void rebuild_step(std::uint64_t drive);
    void scrub_step();
    bool scrub_due() const;  // with mutex_ held
    // Sleeps until `bytes` read since `since` fit `rate` (or stop).
    void pace(std::uint64_t rate, std::chrono::steady_clock::time_point since, std::uint64_t bytes);
    void save_scrub();
    void save_rebuild(const Rebuild& job);
    std::filesystem::path rebuild_file(std::uint64_t drive) const;

    ObjectStore& store_;
    const MaintenanceOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<DamageReport> damaged_;
    std::map<std::string, std::chrono::steady_clock::time_point> tried_;  // "bucket/key@version" -> when
    // The repair queue: where its next page starts (none: no pass due), the
    // lowest version queued since the thread last looked, what the last pass
    // found, and the drives that took writes at the last look.
    std::optional<std::uint64_t> queue_from_;
    std::optional<std::uint64_t> queued_from_;
    QueueStatus queue_;
    std::chrono::steady_clock::time_point queue_next_look_{};
    std::chrono::steady_clock::time_point queue_retry_at_{};
    std::vector<std::uint64_t> writable_;
    std::vector<Rebuild> rebuilds_;
    ScrubStatus scrub_;
    WalkCursor scrub_cursor_;
    std::chrono::steady_clock::time_point scrub_since_{};  // pacing: this process's share of the pass
    std::uint64_t scrub_bytes_since_ = 0;
    std::thread thread_;  // last: started once the members above exist
};

}  // namespace shoal::engine
