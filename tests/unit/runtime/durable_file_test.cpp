#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "core/runtime/durable_file.hpp"
#include "temp_dir.hpp"

using namespace shoal::runtime;
using shoal::testing::TempDir;
using Catch::Matchers::Contains;

namespace {

unsigned mode_of(const std::filesystem::path& file) {
    struct stat st{};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a durable file replaces the old one whole, with the mode asked for", "[runtime]") {
    TempDir dir;
    const auto file = dir.path() / "secret";
    write_file_durably(file, "one", 0600);
    write_file_durably(file, "two", 0600);
    CHECK(read_small_file(file) == "two");
    CHECK(mode_of(file) == 0600);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "secret.tmp"));
    // A temporary left by a crash keeps its mode through O_CREAT: a key
    // written over it must not inherit a wider one.
    const auto leftover = dir.write("secret.tmp", "half");
    REQUIRE(::chmod(leftover.c_str(), 0644) == 0);
    write_file_durably(file, "three", 0600);
    CHECK(read_small_file(file) == "three");
    CHECK(mode_of(file) == 0600);
}

TEST_CASE("durable directories are made with their parents, again without harm", "[runtime]") {
    TempDir dir;
    const auto nested = dir.path() / "a" / "b" / "c";
    create_directories_durably(nested);
    CHECK(std::filesystem::is_directory(nested));
    CHECK_NOTHROW(create_directories_durably(nested));  // existing: its entry is synced again
    CHECK_NOTHROW(sync_directory(nested));
    // A file in the way, or a missing directory, is named.
    const auto file = dir.write("plain", "x");
    CHECK_THROWS_WITH(create_directories_durably(file), Contains(file.string()));
    CHECK_THROWS_WITH(create_directories_durably(file / "below"), Contains(file.string()));
    CHECK_THROWS_WITH(sync_directory(dir.path() / "missing"), Contains((dir.path() / "missing").string()));
}
