#include <catch2/catch.hpp>

#include <unistd.h>

#include "core/storage/drive_directory.hpp"
#include "temp_dir.hpp"

using namespace shoal::storage;
using shoal::testing::TempDir;
using Catch::Matchers::Contains;

TEST_CASE("opening a drive creates the directory and locks it", "[storage]") {
    TempDir dir;
    const auto path = dir.path() / "a" / "b";
    {
        DriveDirectory drive = DriveDirectory::open(path);
        CHECK(drive.path() == path);
        CHECK(std::filesystem::is_directory(path));
        CHECK(std::filesystem::exists(path / DriveDirectory::kLockFileName));
        // A second opener (another shoald) is refused while the first holds it.
        CHECK_THROWS_WITH(DriveDirectory::open(path), Contains("in use by another shoald process"));
    }
    // Released on destruction.
    CHECK_NOTHROW(DriveDirectory::open(path));
}

TEST_CASE("a drive that is a file or unwritable is refused with its path", "[storage]") {
    TempDir dir;
    const auto file = dir.write("plain", "x");
    CHECK_THROWS_WITH(DriveDirectory::open(file), Contains(file.string()));

    if (::geteuid() != 0) {  // root may write anywhere
        const auto ro = dir.path() / "ro";
        std::filesystem::create_directory(ro);
        std::filesystem::permissions(ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        CHECK_THROWS_WITH(DriveDirectory::open(ro), Contains("not writable"));
    }
}
