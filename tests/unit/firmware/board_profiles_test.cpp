#include <catch2/catch.hpp>

#include <filesystem>

#include "firmware/config.hpp"

using namespace shoal::firmware;

// Every board profile must load as a configuration file: profiles are shipped
// to users, and a key renamed in the code must not leave them broken.
TEST_CASE("every board profile is a valid configuration", "[config][board]") {
    std::size_t profiles = 0;
    for (const auto& entry : std::filesystem::directory_iterator(SHOAL_BOARD_PROFILES_DIR)) {
        if (entry.path().extension() != ".toml") continue;
        ++profiles;
        ConfigSources sources;
        sources.file = entry.path();
        INFO(entry.path());
        LoadedConfig loaded;
        REQUIRE_NOTHROW(loaded = load_config(sources));
        CHECK(loaded.warnings.empty());
        CHECK_FALSE(loaded.config.drives.empty());
    }
    CHECK(profiles >= 2);
}
