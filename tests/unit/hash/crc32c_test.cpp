#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/hash/crc32c.hpp"

using namespace shoal::hash;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

}  // namespace

TEST_CASE("crc32c: the check value and the RFC 3720 test vectors", "[hash]") {
    INFO("implementation: " << crc32c_implementation());
    CHECK(crc32c("123456789", 9) == 0xE3069283u);
    CHECK(crc32c_portable("123456789", 9) == 0xE3069283u);
    CHECK(crc32c(nullptr, 0) == 0u);

    std::uint8_t buf[32];
    std::fill(std::begin(buf), std::end(buf), 0x00);
    CHECK(crc32c(buf, sizeof buf) == 0x8A9136AAu);
    CHECK(crc32c_portable(buf, sizeof buf) == 0x8A9136AAu);
    std::fill(std::begin(buf), std::end(buf), 0xFF);
    CHECK(crc32c(buf, sizeof buf) == 0x62A8AB43u);
    CHECK(crc32c_portable(buf, sizeof buf) == 0x62A8AB43u);
    for (int i = 0; i < 32; ++i) buf[i] = static_cast<std::uint8_t>(i);
    CHECK(crc32c(buf, sizeof buf) == 0x46DD794Eu);
    CHECK(crc32c_portable(buf, sizeof buf) == 0x46DD794Eu);
    for (int i = 0; i < 32; ++i) buf[i] = static_cast<std::uint8_t>(31 - i);
    CHECK(crc32c(buf, sizeof buf) == 0x113FDB5Cu);  // RFC 3720 B.4, decrementing
}

TEST_CASE("crc32c: streaming in odd splits equals one shot", "[hash]") {
    const auto data = random_bytes(100'000, 1);
    const std::uint32_t whole = crc32c(data.data(), data.size());
    for (std::size_t step : {1u, 3u, 7u, 8u, 13u, 255u, 4096u, 8193u, 30'000u}) {
        Crc32c h;
        std::size_t at = 0;
        while (at < data.size()) {
            const std::size_t n = std::min(step, data.size() - at);
            h.update(data.data() + at, n);
            at += n;
        }
        CAPTURE(step);
        CHECK(h.value() == whole);
    }
    Crc32c h;
    h.update(std::string_view("1234"));
    h.update(std::string_view(""));
    h.update(std::string_view("56789"));
    CHECK(h.value() == 0xE3069283u);
    h.reset();
    CHECK(h.value() == 0u);
    CHECK(crc32c("56789", 5, crc32c("1234", 4)) == 0xE3069283u);
}

TEST_CASE("crc32c: the accelerated and portable paths agree on many lengths and alignments", "[hash]") {
    INFO("implementation: " << crc32c_implementation());
    // Long enough to take the three-stream paths (3 x 8 KiB and 3 x 256 B) and their tails.
    const auto data = random_bytes(3 * 8192 * 2 + 1000, 2);
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 800; ++n) lengths.push_back(n);
    for (std::size_t n : {3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 767, 3 * 8192 + 768, 3 * 8192 + 775,
                          6 * 8192, 6 * 8192 + 999}) {
        lengths.push_back(n);
    }
    std::size_t mismatches = 0;
    for (std::size_t align = 0; align < 8; ++align) {
        for (std::size_t n : lengths) {
            if (align + n > data.size()) continue;
            const std::uint8_t* p = data.data() + align;
            const std::uint32_t seed = static_cast<std::uint32_t>(n * 2654435761u);
            if (crc32c(p, n) != crc32c_portable(p, n) || crc32c(p, n, seed) != crc32c_portable(p, n, seed)) {
                ++mismatches;
                UNSCOPED_INFO("mismatch at align " << align << " length " << n);
            }
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("crc32c_combine joins two CRCs without the data", "[hash]") {
    const auto data = random_bytes(70'000, 3);
    for (std::size_t split : {0u, 1u, 7u, 4096u, 65'536u, 69'999u, 70'000u}) {
        const std::uint32_t a = crc32c(data.data(), split);
        const std::uint32_t b = crc32c(data.data() + split, data.size() - split);
        CAPTURE(split);
        CHECK(crc32c_combine(a, b, data.size() - split) == crc32c(data.data(), data.size()));
    }
}
