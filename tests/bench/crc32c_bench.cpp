// CRC-32C throughput on this machine: the chosen implementation and the
// portable one, over buffers of chunk-block size and larger. Not a test (it is
// not registered with ctest); run by hand:
//
//   build/host/tests/crc32c_bench [MiB per run, default 256]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <vector>

#include "core/hash/crc32c.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Fn = std::uint32_t (*)(const void*, std::size_t, std::uint32_t);

double gigabytes_per_second(Fn fn, const std::vector<std::uint8_t>& buf, std::size_t block, std::uint64_t total) {
    std::uint32_t sink = 0;
    const std::uint64_t rounds = total / block;
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < rounds; ++i) sink = fn(buf.data() + (i % 8), block, sink);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // Print the sink so the loop cannot be optimised away.
    std::fprintf(stderr, "  (crc %08x)\n", static_cast<unsigned>(sink));
    return static_cast<double>(rounds * block) / seconds / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
    const std::uint64_t total = mib << 20;
    std::vector<std::uint8_t> buf((1u << 20) + 8);
    for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::uint8_t>(i * 131 + 7);

    std::printf("crc32c implementation: %s\n", std::string(shoal::hash::crc32c_implementation()).c_str());
    for (std::size_t block : {std::size_t{4096}, std::size_t{65536}, std::size_t{1} << 20}) {
        const double fast = gigabytes_per_second(shoal::hash::crc32c, buf, block, total);
        const double portable = gigabytes_per_second(shoal::hash::crc32c_portable, buf, block, total / 4);
        std::printf("block %7zu B: chosen %6.2f GB/s, portable %6.2f GB/s\n", block, fast, portable);
    }
    return 0;
}
