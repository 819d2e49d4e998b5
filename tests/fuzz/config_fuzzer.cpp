// shoald's configuration file: apply_config_toml() on TOML text in memory
// (what load_config() does with the file's content). It either applies
// values within each setting's documented range or throws ConfigError
// naming a key or a line; nothing else escapes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "firmware/config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace shoal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    firmware::Config c;
    try {
        firmware::apply_config_toml(c, text, "fuzz.toml");
    } catch (const firmware::ConfigError& e) {
        FUZZ_CHECK(std::string_view(e.what()).size() > 0, "empty error");
        return 0;
    }
    FUZZ_CHECK(!c.listen_host.empty(), "listen host");
    FUZZ_CHECK(c.threads <= 256, "threads");
    FUZZ_CHECK(c.max_connections >= 1 && c.max_connections <= 1'000'000, "max_connections");
    for (const auto d : {c.header_timeout, c.idle_timeout, c.body_timeout, c.shutdown_grace}) {
        FUZZ_CHECK(d.count() > 0, "duration");
    }
    FUZZ_CHECK(!c.drives.empty(), "drives");
    // A path is opened as named: a NUL would cut it short.
    for (const auto& d : c.drives) FUZZ_CHECK(!d.empty() && d.string().find('\0') == std::string::npos, d.string());
    FUZZ_CHECK(c.metadata_dir.string().find('\0') == std::string::npos, c.metadata_dir.string());
    FUZZ_CHECK(c.inline_threshold <= 256 * 1024, "inline_threshold");
    FUZZ_CHECK(c.chunk_size >= (64u << 10) && c.chunk_size <= (256u << 20), "chunk_size");
    FUZZ_CHECK(!c.region.empty() && c.region.size() <= 64 &&
                   c.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos,
               c.region);
    for (const auto& d : c.domains) {
        FUZZ_CHECK(!d.empty() && d.find_first_of(" /:") == std::string::npos, d);
        for (const char ch : d) FUZZ_CHECK(static_cast<unsigned char>(ch) > 0x20 && ch != 0x7f, "a control character in a domain");
    }
    FUZZ_CHECK(c.min_part_size >= 1 && c.min_part_size <= (5ull << 30), "min_part_size");
    return 0;
}
