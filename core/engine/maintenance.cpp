#include "core/engine/maintenance.hpp"

#include <algorithm>
#include <functional>

#include "core/engine/job_state.hpp"
#include "core/engine/object_store.hpp"
#include "core/engine/piece_repair.hpp"

namespace shoal::engine {
namespace {

constexpr std::size_t kMaxQueuedDamage = 1000;
constexpr std::size_t kCountingPage = 1000;
constexpr const char* kScrubFile = "scrub.job";

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

void put_stats(JobState& state, const std::string& prefix, const RepairStats& s) {
    state.set_number(prefix + "versions", s.versions);
    state.set_number(prefix + "pieces_checked", s.pieces_checked);
    state.set_number(prefix + "pieces_rebuilt", s.pieces_rebuilt);
    state.set_number(prefix + "pieces_dropped", s.pieces_dropped);
    state.set_number(prefix + "bytes_read", s.bytes_read);
    state.set_number(prefix + "bytes_written", s.bytes_written);
    state.set_number(prefix + "unrecoverable", s.unrecoverable);
    state.set_number(prefix + "short_of", s.short_of);
    state.set_number(prefix + "stale", s.stale);
}

RepairStats get_stats(const JobState& state, const std::string& prefix) {
    RepairStats s;
    s.versions = state.number(prefix + "versions");
    s.pieces_checked = state.number(prefix + "pieces_checked");
    s.pieces_rebuilt = state.number(prefix + "pieces_rebuilt");
    s.pieces_dropped = state.number(prefix + "pieces_dropped");
    s.bytes_read = state.number(prefix + "bytes_read");
    s.bytes_written = state.number(prefix + "bytes_written");
    s.unrecoverable = state.number(prefix + "unrecoverable");
    s.short_of = state.number(prefix + "short_of");
    s.stale = state.number(prefix + "stale");
    return s;
}

void put_cursor(JobState& state, const WalkCursor& c) {
    state.set("cursor.bucket", c.bucket);
    state.set("cursor.key", c.key);
    state.set("cursor.version", c.version_id);
    state.set_number("cursor.finished", c.finished ? 1 : 0);
}

WalkCursor get_cursor(const JobState& state) {
    return WalkCursor{state.get("cursor.bucket"), state.get("cursor.key"), state.get("cursor.version"),
                      state.number("cursor.finished") != 0};
}

// What a version's pieces on `drive` amount to: (pieces, bytes of them).
std::pair<std::uint64_t, std::uint64_t> pieces_on(const meta::ObjectVersion& v, std::uint64_t drive) {
    std::uint64_t divisor = 1;  // a fragment holds about 1/k of its group
    if (const auto policy = ec::StoragePolicy::parse(v.policy); policy && policy->kind == ec::StoragePolicy::Kind::erasure) {
        divisor = static_cast<std::uint64_t>(policy->k);
    }
    std::uint64_t pieces = 0;
    std::uint64_t bytes = 0;
    for (const meta::ChunkRef& ref : v.chunks) {
        if (ref.drive != drive) continue;
        ++pieces;
        bytes += ref.length / divisor;
    }
    return {pieces, bytes};
}

}  // namespace

Maintenance::Maintenance(ObjectStore& store, MaintenanceOptions options)
    : store_(store), options_(std::move(options)) {
    scrub_.enabled = options_.enabled && options_.scrub_rate > 0;
}

Maintenance::~Maintenance() { stop(); }

std::filesystem::path Maintenance::rebuild_file(std::uint64_t drive) const {
    return options_.state_dir / ("rebuild-" + meta::format_version_id(drive) + ".job");
}

void Maintenance::start() {
    if (const auto saved = JobState::load(options_.state_dir / kScrubFile)) {
        scrub_cursor_ = get_cursor(*saved);
        scrub_.running = saved->number("running") != 0;
        scrub_.passes = saved->number("passes");
        scrub_.pass_started_ms = saved->number("pass_started_ms");
        scrub_.last_pass_ended_ms = saved->number("last_pass_ended_ms");
        scrub_.next_pass_ms = saved->number("next_pass_ms");
        scrub_.position = saved->get("position");
        scrub_.pass = get_stats(*saved, "pass.");
    }
    for (const auto& entry : std::filesystem::directory_iterator(options_.state_dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("rebuild-", 0) != 0 || entry.path().extension() != ".job") continue;
        const auto saved = JobState::load(entry.path());
        if (!saved) continue;
        Rebuild job;
        std::uint64_t drive = 0;
        if (!meta::parse_version_id(saved->get("drive"), drive)) continue;
        job.status.drive = drive;
        job.status.state = saved->get("state");
        job.status.pieces_total = saved->number("pieces_total");
        job.status.pieces_done = saved->number("pieces_done");
        job.status.bytes_total = saved->number("bytes_total");
        job.status.bytes_done = saved->number("bytes_done");
        job.status.started_ms = saved->number("started_ms");
        job.status.ended_ms = saved->number("ended_ms");
        job.status.stats = get_stats(*saved, "stats.");
        job.cursor = get_cursor(*saved);
        job.resumed = std::chrono::steady_clock::now();
        job.bytes_at_resume = job.status.bytes_done;
        if (job.status.state != "done") {
            store_.log().info("rebuild resumed", {{"drive", saved->get("drive")}, {"state", job.status.state},
                                                  {"pieces_done", job.status.pieces_done},
                                                  {"pieces_total", job.status.pieces_total}});
        }
        rebuilds_.push_back(std::move(job));
    }
    std::sort(rebuilds_.begin(), rebuilds_.end(),
              [](const Rebuild& a, const Rebuild& b) { return a.status.started_ms < b.status.started_ms; });
    scrub_since_ = std::chrono::steady_clock::now();
    queue_from_ = 0;  // versions queued before this start
    thread_ = std::thread([this] { run(); });
}

void Maintenance::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

RebuildStatus Maintenance::rebuild(std::uint64_t drive) {
    RebuildStatus status;
    {
        std::lock_guard lock(mutex_);
        for (const Rebuild& job : rebuilds_) {
            if (job.status.drive == drive && job.status.state != "done") return job.status;
        }
        // A finished job for the same drive is replaced by the new one.
        rebuilds_.erase(std::remove_if(rebuilds_.begin(), rebuilds_.end(),
                                       [&](const Rebuild& job) { return job.status.drive == drive; }),
                        rebuilds_.end());
        Rebuild job;
        job.status.drive = drive;
        job.status.state = "counting";
        job.status.started_ms = now_ms();
        save_rebuild(job);  // before it is acknowledged: a restart resumes it
        rebuilds_.push_back(job);
        status = job.status;
    }
    store_.log().warn("rebuild started: restoring the pieces of a lost drive",
                      {{"drive", meta::format_version_id(drive)}});
    wake_.notify_all();
    return status;
}

void Maintenance::report_damage(DamageReport report) {
    if (!options_.enabled) return;
    {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        const std::string name = report.bucket + "/" + report.key + "@" + report.version_id;
        if (const auto it = tried_.find(name); it != tried_.end() && now - it->second < kRetryAfter) return;
        if (tried_.size() >= kMaxQueuedDamage) tried_.clear();  // bounded; forgetting only allows a retry
        tried_[name] = now;
        if (damaged_.size() >= kMaxQueuedDamage) return;  // (scrub finds the rest)
        damaged_.push_back(std::move(report));
    }
    wake_.notify_all();
}

void Maintenance::report_queued(std::uint64_t seq) {
    if (!options_.enabled) return;
    {
        std::lock_guard lock(mutex_);
        queued_from_ = std::min(queued_from_.value_or(seq), seq);
    }
    wake_.notify_all();
}

QueueStatus Maintenance::queue_status() const {
    std::lock_guard lock(mutex_);
    return queue_;
}

ScrubStatus Maintenance::scrub_status() const {
    std::lock_guard lock(mutex_);
    return scrub_;
}

std::vector<RebuildStatus> Maintenance::rebuilds() const {
    std::lock_guard lock(mutex_);
    std::vector<RebuildStatus> out;
    for (const Rebuild& job : rebuilds_) out.push_back(job.status);
    return out;
}

bool Maintenance::scrub_due() const {
    return scrub_.enabled && (scrub_.running || now_ms() >= scrub_.next_pass_ms);
}

void Maintenance::run() {
    std::unique_lock lock(mutex_);
    if (!options_.enabled) {
        wake_.wait(lock, [this] { return stopping_; });
        return;
    }
    // A step that fails (a metadata page that cannot be read) is logged and
    // tried again after a pause: the thread never ends on an error.
    const auto step = [&](const char* what, const std::function<void()>& work) {
        lock.unlock();
        bool failed = false;
        try {
            work();
        } catch (const std::exception& e) {
            failed = true;
            store_.log().error("maintenance step failed, trying again later", {{"step", what}, {"error", e.what()}});
        }
        lock.lock();
        if (failed) wake_.wait_for(lock, kRetryFailedStep, [this] { return stopping_; });
    };
    while (!stopping_) {
        if (!damaged_.empty()) {
            const DamageReport damage = std::move(damaged_.front());
            damaged_.pop_front();
            step("repair", [&] { repair_damage(damage); });
            continue;
        }
        if (queued_from_) {
            queue_from_ = std::min(queue_from_.value_or(*queued_from_), *queued_from_);
            queued_from_.reset();
        }
        if (queue_from_) {
            step("repair queue", [&] { queue_step(); });
            continue;
        }
        if (queue_.waiting && std::chrono::steady_clock::now() >= queue_next_look_) {
            // Versions wait for a drive: has one started taking writes?
            bool gained = false;
            step("repair queue", [&] { gained = drives_gained(); });
            const auto now = std::chrono::steady_clock::now();
            queue_next_look_ = now + options_.drive_look;
            if (gained || now >= queue_retry_at_) queue_from_ = 0;
            continue;
        }
        const auto active = std::find_if(rebuilds_.begin(), rebuilds_.end(),
                                         [](const Rebuild& job) { return job.status.state != "done"; });
        if (active != rebuilds_.end()) {
            const std::uint64_t drive = active->status.drive;
            step("rebuild", [&] { rebuild_step(drive); });
            continue;
        }
        if (scrub_due()) {
            step("scrub", [&] { scrub_step(); });
            continue;
        }
        // Asleep until the next scrub pass, the next look at the drives for
        // waiting versions, or news.
        std::chrono::milliseconds wait = std::chrono::hours(24);
        if (scrub_.enabled) {
            const std::uint64_t now = now_ms();
            wait = std::chrono::milliseconds(
                std::min<std::uint64_t>(scrub_.next_pass_ms > now ? scrub_.next_pass_ms - now : 0, 60'000));
        }
        if (queue_.waiting) {
            wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      queue_next_look_ - std::chrono::steady_clock::now()) +
                                      std::chrono::milliseconds(1));
        }
        wake_.wait_for(lock, std::max(wait, std::chrono::milliseconds(0)));
    }
}

void Maintenance::pace(std::uint64_t rate, std::chrono::steady_clock::time_point since, std::uint64_t bytes) {
    if (rate == 0) return;
    const auto due = since + std::chrono::microseconds(bytes * 1'000'000 / rate);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, due, [&] { return stopping_; });
}

void Maintenance::repair_damage(const DamageReport& damage) {
    std::optional<meta::ObjectVersion> version;
    {
        const meta::Snapshot snapshot = store_.meta().snapshot();
        const auto bucket = snapshot.catalog().bucket(damage.bucket);
        if (bucket) version = snapshot.catalog().version(*bucket, damage.key, damage.version_id);
    }
    if (!version) return;  // gone meanwhile
    // The pieces the read found bad are read in full (a block failing its
    // check may be one of many); the others only checked to be there, of
    // the right size: the scrub reads them in its turn.
    PieceCheck check;
    check.suspect = damage.bad_chunks;
    try {
        repair_version(store_, damage.bucket, *version, check);
    } catch (const std::exception& e) {
        store_.log().error("repair failed", {{"object", damage.bucket + "/" + damage.key}, {"error", e.what()}});
    }
}

bool Maintenance::drives_gained() {
    std::vector<std::uint64_t> writable;
    for (const placement::DriveScore& score : store_.conscience().current_scores()) {
        if (score.write_score > 0) writable.push_back(score.id);
    }
    std::sort(writable.begin(), writable.end());
    std::lock_guard lock(mutex_);
    const bool gained = !std::includes(writable_.begin(), writable_.end(), writable.begin(), writable.end());
    writable_ = std::move(writable);
    return gained;
}

void Maintenance::queue_step() {
    std::uint64_t from = 0;
    {
        std::lock_guard lock(mutex_);
        from = queue_from_.value_or(0);
        if (from == 0) {
            // A pass from the start: remember which drives take writes now,
            // so that a later look sees which ones start to.
            queue_retry_at_ = std::chrono::steady_clock::now() + kQueueRetry;
        }
    }
    if (from == 0) drives_gained();
    std::vector<meta::QueuedRepair> page;
    {
        const meta::Snapshot snapshot = store_.meta().snapshot();
        page = snapshot.catalog().queued_repairs(from, options_.page_versions);
    }
    // The drives taking writes now: a version waits unless one of them can
    // take a missing piece (one holding no piece of the chunk).
    std::vector<std::uint64_t> writable;
    for (const placement::DriveScore& score : store_.conscience().current_scores()) {
        if (score.write_score > 0) writable.push_back(score.id);
    }
    const auto placeable = [](const meta::ObjectVersion& v, const std::vector<std::uint64_t>& drives) {
        const auto policy = ec::StoragePolicy::parse(v.policy.empty() ? "SINGLE" : v.policy);
        if (!policy) return false;
        for (std::size_t first = 0; first < v.chunks.size();) {
            std::size_t last = first + 1;
            while (last < v.chunks.size() && v.chunks[last].offset == v.chunks[first].offset) ++last;
            const std::vector<meta::ChunkRef> group(v.chunks.begin() + static_cast<std::ptrdiff_t>(first),
                                                    v.chunks.begin() + static_cast<std::ptrdiff_t>(last));
            if (chunks_short_of(group, *policy) > 0) {
                for (const std::uint64_t d : drives) {
                    if (std::none_of(group.begin(), group.end(), [&](const meta::ChunkRef& r) { return r.drive == d; })) {
                        return true;
                    }
                }
            }
            first = last;
        }
        return false;
    };
    std::vector<std::uint64_t> done;  // entries to drop: whole again, or gone
    std::uint64_t repaired = 0;
    // The version the entry names, if it is still there.
    const auto find = [&](const meta::QueuedRepair& entry) -> std::optional<meta::ObjectVersion> {
        const meta::Snapshot snapshot = store_.meta().snapshot();
        const auto bucket = snapshot.catalog().bucket(entry.record.bucket);
        if (!bucket) return std::nullopt;
        auto v = snapshot.catalog().version(*bucket, entry.record.key, entry.record.version_id);
        if (!v || v->seq != entry.seq) return std::nullopt;  // a null version replaced meanwhile
        return v;
    };
    const auto short_of_pieces = [](const meta::ObjectVersion& v) {
        const auto policy = ec::StoragePolicy::parse(v.policy.empty() ? "SINGLE" : v.policy);
        return policy && chunks_short_of(v.chunks, *policy) > 0;  // (an unknown policy: nothing to do here)
    };
    for (const meta::QueuedRepair& entry : page) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        const std::string object = entry.record.bucket + "/" + entry.record.key;
        const auto version = find(entry);
        if (!version || !short_of_pieces(*version)) {
            done.push_back(entry.seq);
            continue;
        }
        // From the metadata alone: no drive that takes writes lacks a piece
        // of its short chunks, so a repair would only open files and log.
        if (!placeable(*version, writable)) continue;
        try {
            repair_version(store_, entry.record.bucket, *version, PieceCheck{}, QueueShort::no);
        } catch (const std::exception& e) {
            store_.log().error("queued repair failed", {{"object", object}, {"error", e.what()}});
        }
        const auto after = find(entry);
        if (!after || !short_of_pieces(*after)) {
            done.push_back(entry.seq);
            ++repaired;
            store_.log().info("queued repair done: the version has all its pieces",
                              {{"object", object}, {"version", entry.record.version_id}});
        }
    }
    if (!done.empty()) {
        store_.meta().write([&](meta::Catalog& catalog) {
            for (const std::uint64_t seq : done) catalog.drop_repair(seq);
        });
    }
    bool waiting = false;
    const bool last_page = page.size() < options_.page_versions;
    if (last_page) {
        const meta::Snapshot snapshot = store_.meta().snapshot();
        waiting = !snapshot.catalog().queued_repairs(0, 1).empty();
    }
    std::lock_guard lock(mutex_);
    queue_.repaired += repaired;
    queue_.dropped += done.size() - repaired;
    if (stopping_) return;
    if (last_page) {
        queue_from_.reset();
        ++queue_.passes;
        queue_.waiting = waiting;
        queue_next_look_ = std::chrono::steady_clock::now() + options_.drive_look;
        if (waiting) {
            store_.log().info("repair queue: versions wait for a drive that can take their missing pieces",
                              {{"passes", queue_.passes}, {"repaired", queue_.repaired}});
        }
    } else {
        queue_from_ = page.back().seq + 1;
    }
}

void Maintenance::rebuild_step(std::uint64_t drive_id) {
    Rebuild job;
    {
        std::lock_guard lock(mutex_);
        const auto it = std::find_if(rebuilds_.begin(), rebuilds_.end(),
                                     [&](const Rebuild& r) { return r.status.drive == drive_id; });
        if (it == rebuilds_.end()) return;
        job = *it;
    }
    const std::uint64_t drive = job.status.drive;
    if (job.status.state == "counting") {
        // The metadata alone: which pieces the drive held, for progress.
        WalkCursor cursor;
        std::uint64_t pieces = 0;
        std::uint64_t bytes = 0;
        while (!cursor.finished) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return;
            }
            const WalkPage page = next_versions(store_.meta(), cursor, kCountingPage);
            for (const std::string& why : page.damaged) {
                store_.log().error("rebuild: damaged metadata record (its pieces cannot be counted)", {{"error", why}});
            }
            for (const auto& [bucket, version] : page.versions) {
                const auto [p, b] = pieces_on(version, drive);
                pieces += p;
                bytes += b;
            }
            cursor = page.next;
        }
        job.status.state = "rebuilding";
        job.status.pieces_total = pieces;
        job.status.bytes_total = bytes;
        job.cursor = WalkCursor{};
        job.resumed = std::chrono::steady_clock::now();
        job.bytes_at_resume = 0;
        store_.log().info("rebuild: pieces to restore counted",
                          {{"drive", meta::format_version_id(drive)}, {"pieces", pieces}, {"bytes", bytes}});
    } else {
        const WalkPage page = next_versions(store_.meta(), job.cursor, options_.page_versions);
        job.status.stats.unrecoverable += page.damaged.size();
        for (const std::string& why : page.damaged) {
            store_.log().error("rebuild: damaged metadata record (its pieces cannot be rebuilt)", {{"error", why}});
        }
        PieceCheck check;
        check.lost = [drive](std::uint64_t d) { return d == drive; };
        bool stopped = false;
        for (const auto& [bucket, version] : page.versions) {
            const auto [pieces, bytes] = pieces_on(version, drive);
            if (pieces == 0) continue;
            try {
                job.status.stats.add(repair_version(store_, bucket, version, check));
            } catch (const std::exception& e) {
                ++job.status.stats.unrecoverable;
                store_.log().error("rebuild: repair failed", {{"object", bucket + "/" + version.key},
                                                              {"error", e.what()}});
            }
            job.status.pieces_done += pieces;
            job.status.bytes_done += bytes;
            pace(options_.rebuild_rate, job.resumed, job.status.bytes_done - job.bytes_at_resume);
            std::lock_guard lock(mutex_);
            if (stopping_) {
                stopped = true;
                break;
            }
        }
        if (stopped) return;  // the page is done again on resume (idempotent)
        job.cursor = page.next;
        const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - job.resumed).count();
        const std::uint64_t done_here = job.status.bytes_done - job.bytes_at_resume;
        if (job.cursor.finished) {
            // Versions repaired in a page that a crash cut short are not
            // counted again on resume (they no longer name the drive).
            job.status.pieces_done = std::max(job.status.pieces_done, job.status.pieces_total);
            job.status.bytes_done = std::max(job.status.bytes_done, job.status.bytes_total);
            job.status.state = "done";
            job.status.ended_ms = now_ms();
            job.status.eta_seconds = 0;
            store_.log().info("rebuild done", {{"drive", meta::format_version_id(drive)},
                                               {"pieces", job.status.pieces_done},
                                               {"rebuilt", job.status.stats.pieces_rebuilt},
                                               {"unrecoverable", job.status.stats.unrecoverable}});
        } else if (done_here > 0 && elapsed > 0) {
            const std::uint64_t left =
                job.status.bytes_total > job.status.bytes_done ? job.status.bytes_total - job.status.bytes_done : 0;
            job.status.eta_seconds = static_cast<std::int64_t>(static_cast<double>(left) * elapsed /
                                                               static_cast<double>(done_here));
        }
    }
    save_rebuild(job);
    std::lock_guard lock(mutex_);
    // (Only this thread changes a job under way; rebuild() only adds jobs or
    // replaces finished ones.)
    for (Rebuild& r : rebuilds_) {
        if (r.status.drive == drive && r.status.state != "done") r = job;
    }
}

void Maintenance::scrub_step() {
    WalkCursor cursor;
    {
        std::lock_guard lock(mutex_);
        if (!scrub_.running) {
            scrub_.running = true;
            scrub_.pass_started_ms = now_ms();
            scrub_.pass = RepairStats{};
            scrub_.position.clear();
            scrub_cursor_ = WalkCursor{};
            scrub_since_ = std::chrono::steady_clock::now();
            scrub_bytes_since_ = 0;
            store_.log().info("scrub pass started", {{"rate", options_.scrub_rate}});
        }
        cursor = scrub_cursor_;
    }
    const WalkPage page = next_versions(store_.meta(), cursor, options_.page_versions);
    for (const std::string& why : page.damaged) {
        store_.log().error("scrub: damaged metadata record", {{"error", why}});
    }
    {
        std::lock_guard lock(mutex_);
        scrub_.pass.unrecoverable += page.damaged.size();
    }
    PieceCheck check;
    check.verify_data = true;
    for (const auto& [bucket, version] : page.versions) {
        RepairStats stats;
        try {
            stats = repair_version(store_, bucket, version, check);
        } catch (const std::exception& e) {
            stats.unrecoverable = 1;
            store_.log().error("scrub: repair failed", {{"object", bucket + "/" + version.key}, {"error", e.what()}});
        }
        std::chrono::steady_clock::time_point since;
        std::uint64_t bytes = 0;
        {
            std::lock_guard lock(mutex_);
            scrub_.pass.add(stats);
            scrub_.position = bucket + "/" + version.key;
            scrub_bytes_since_ += stats.bytes_read;
            since = scrub_since_;
            bytes = scrub_bytes_since_;
        }
        pace(options_.scrub_rate, since, bytes);
        std::lock_guard lock(mutex_);
        if (stopping_) return;  // this page again on resume
    }
    {
        std::lock_guard lock(mutex_);
        scrub_cursor_ = page.next;
        if (page.next.finished) {
            scrub_.running = false;
            ++scrub_.passes;
            scrub_.last_pass_ended_ms = now_ms();
            scrub_.next_pass_ms = scrub_.pass_started_ms + static_cast<std::uint64_t>(options_.scrub_interval.count());
            store_.log().info("scrub pass done", {{"versions", scrub_.pass.versions},
                                                  {"bytes_read", scrub_.pass.bytes_read},
                                                  {"pieces_rebuilt", scrub_.pass.pieces_rebuilt},
                                                  {"unrecoverable", scrub_.pass.unrecoverable}});
        }
    }
    save_scrub();
}

void Maintenance::save_scrub() {
    JobState state;
    {
        std::lock_guard lock(mutex_);
        put_cursor(state, scrub_cursor_);
        state.set_number("running", scrub_.running ? 1 : 0);
        state.set_number("passes", scrub_.passes);
        state.set_number("pass_started_ms", scrub_.pass_started_ms);
        state.set_number("last_pass_ended_ms", scrub_.last_pass_ended_ms);
        state.set_number("next_pass_ms", scrub_.next_pass_ms);
        state.set("position", scrub_.position);
        put_stats(state, "pass.", scrub_.pass);
    }
    try {
        state.save(options_.state_dir / kScrubFile);
    } catch (const std::exception& e) {
        store_.log().warn("cannot save the scrub position", {{"error", e.what()}});
    }
}

void Maintenance::save_rebuild(const Rebuild& job) {
    JobState state;
    state.set("drive", meta::format_version_id(job.status.drive));
    state.set("state", job.status.state);
    state.set_number("pieces_total", job.status.pieces_total);
    state.set_number("pieces_done", job.status.pieces_done);
    state.set_number("bytes_total", job.status.bytes_total);
    state.set_number("bytes_done", job.status.bytes_done);
    state.set_number("started_ms", job.status.started_ms);
    state.set_number("ended_ms", job.status.ended_ms);
    put_cursor(state, job.cursor);
    put_stats(state, "stats.", job.status.stats);
    try {
        state.save(rebuild_file(job.status.drive));
    } catch (const std::exception& e) {
        store_.log().warn("cannot save the rebuild position", {{"error", e.what()}});
    }
}

}  // namespace shoal::engine
