#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "core/placement/conscience.hpp"
#include "core/placement/io_load.hpp"
#include "temp_dir.hpp"

using namespace shoal::placement;
using shoal::testing::TempDir;

namespace {

// Writes a diskstats file in which the device under `dir` has spent
// `busy_ms` milliseconds doing I/O, beside an unrelated device.
void write_diskstats(const std::filesystem::path& file, const std::filesystem::path& dir, std::uint64_t busy_ms) {
    struct stat st {};
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    std::ofstream out(file, std::ios::trunc);
    out << "   7       0 loop0 1 2 3 4 5 6 7 8 0 999999 10 0 0 0 0 0 0\n";
    out << " " << major(st.st_dev) << " " << minor(st.st_dev) << " testdev 100 0 800 50 200 0 1600 90 0 " << busy_ms
        << " 140 0 0 0 0 0 0\n";
}

}  // namespace

TEST_CASE("the I/O load is the busy share of the time between two samples", "[placement]") {
    TempDir dir;
    const auto stats = dir.path() / "diskstats";
    write_diskstats(stats, dir.path(), 1000);
    IoLoad load(dir.path(), stats);
    REQUIRE(load.known());
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(load.sample(t0) == 0);  // nothing to compare with yet
    CHECK(load.device() == "testdev");
    write_diskstats(stats, dir.path(), 1250);
    CHECK(load.sample(t0 + std::chrono::milliseconds(1000)) == 25);
    write_diskstats(stats, dir.path(), 9999);  // more busy time than wall time: 100 at most
    CHECK(load.sample(t0 + std::chrono::milliseconds(1500)) == 100);
    write_diskstats(stats, dir.path(), 10);  // counters reset (device re-attached): no guess
    CHECK(load.sample(t0 + std::chrono::milliseconds(2500)) == 0);
}

TEST_CASE("a directory without a block device has no known load", "[placement]") {
    // /proc is on device 0:N. Even a diskstats line for 0:N that shows it
    // busy is not its load: such "devices" have no counter of their own.
    TempDir dir;
    const auto stats = dir.path() / "diskstats";
    write_diskstats(stats, "/proc", 0);
    IoLoad load("/proc", stats);
    CHECK_FALSE(load.known());
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(load.sample(t0) == 0);
    write_diskstats(stats, "/proc", 900);
    CHECK(load.sample(t0 + std::chrono::milliseconds(1000)) == 0);
    CHECK(load.device().empty());
}

TEST_CASE("on this machine, the device found for a directory is the one the kernel names for it", "[placement]") {
    TempDir dir;
    struct stat st {};
    REQUIRE(::stat(dir.path().c_str(), &st) == 0);
    IoLoad load(dir.path());
    load.sample(std::chrono::steady_clock::now());
    // The kernel's name for the device: /sys/dev/block/MAJOR:MINOR links to it.
    const std::filesystem::path sys =
        "/sys/dev/block/" + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    std::error_code ec;
    const auto target = std::filesystem::canonical(sys, ec);
    if (major(st.st_dev) == 0 || ec) {
        CHECK(load.device().empty());  // tmpfs, overlayfs, ...: no counters (or none this kernel shows)
        return;
    }
    CHECK(load.known());
    CHECK(load.device() == target.filename().string());
}

TEST_CASE("the conscience lowers a busy drive's score, never to zero", "[placement]") {
    TempDir dir;
    const auto stats = dir.path() / "diskstats";
    const auto drive = dir.path() / "d1";
    std::filesystem::create_directories(drive);
    write_diskstats(stats, drive, 0);
    ConscienceOptions options;
    options.diskstats = stats;
    options.min_free_bytes = 0;
    options.refresh_interval = std::chrono::hours(1);  // refreshed by hand below
    Conscience conscience({{1, drive}}, options);
    const int idle = conscience.scores().at(0).write_score;
    REQUIRE(idle >= 1);
    CHECK(conscience.scores().at(0).io_device == "testdev");

    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    write_diskstats(stats, drive, 1000000);  // busy all the time since
    conscience.refresh();
    const DriveScore busy = conscience.scores().at(0);
    CHECK(busy.io_load == 100);
    CHECK(busy.write_score == std::max(1, idle * 25 / 100));  // falls at once, by the 75 % penalty
    CHECK(busy.why.find("I/O load 100 %") != std::string::npos);
    CHECK(conscience.pick_for_write() == std::optional<std::uint64_t>(1));  // busy, still writable

    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    conscience.refresh();  // idle again: the score climbs back at most max_rise points
    CHECK(conscience.scores().at(0).write_score == std::min(idle, busy.write_score + options.max_rise));
}

TEST_CASE("the conscience refuses writes under the free-space floor and after a failure", "[placement]") {
    TempDir dir;
    ConscienceOptions options;
    options.min_free_bytes = ~std::uint64_t{0};
    Conscience full({{1, dir.path()}}, options);
    CHECK(full.scores().at(0).write_score == 0);
    CHECK_FALSE(full.pick_for_write().has_value());

    Conscience failing({{1, dir.path()}, {2, dir.path()}}, ConscienceOptions{.min_free_bytes = 0});
    failing.report_failure(1, "EIO");
    for (int i = 0; i < 50; ++i) CHECK(failing.pick_for_write() == std::optional<std::uint64_t>(2));
}

TEST_CASE("the pieces of a segment go to different drives, never a failed one", "[placement]") {
    TempDir dir;
    std::vector<Conscience::DriveInfo> drives;
    for (std::uint64_t id = 1; id <= 6; ++id) drives.push_back({id, dir.path()});
    Conscience conscience(drives, ConscienceOptions{.min_free_bytes = 0});
    conscience.report_failure(4, "EIO");

    std::map<std::uint64_t, int> drawn;
    for (int round = 0; round < 300; ++round) {
        const std::vector<std::uint64_t> picked = conscience.pick_distinct_for_write(3);
        REQUIRE(picked.size() == 3);
        CHECK(std::set<std::uint64_t>(picked.begin(), picked.end()).size() == 3);
        for (std::uint64_t id : picked) ++drawn[id];
    }
    CHECK(drawn.count(4) == 0);
    for (std::uint64_t id : {1, 2, 3, 5, 6}) CHECK(drawn[id] > 100);  // equal scores: ~180 each

    // More pieces than writable drives: as many as there are, the caller decides.
    const std::vector<std::uint64_t> all = conscience.pick_distinct_for_write(6);
    CHECK(std::set<std::uint64_t>(all.begin(), all.end()) == std::set<std::uint64_t>{1, 2, 3, 5, 6});
    CHECK(conscience.pick_distinct_for_write(0).empty());
}
