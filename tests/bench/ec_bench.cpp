// Reed-Solomon encode and decode throughput on one core, per codec, against
// plain memcpy of the same bytes on the same machine. Not a test (not
// registered with ctest); run by hand:
//
//   build/host/tests/ec_bench [MiB of segments per measurement, default 512] [segment KiB, default 1024]
//
// Throughput counts segment (user data) bytes. "decode" rebuilds the given
// number of lost data fragments, the worst case for a degraded read (lost
// parity costs a read nothing).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/ec/reed_solomon.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using shoal::ec::ReedSolomon;
using shoal::ec::RsAlgorithm;

struct Stripe {
    std::size_t fragment_bytes;
    std::vector<std::vector<char>> fragments;
    std::vector<char*> pointers;

    Stripe(const ReedSolomon& rs, std::size_t segment_bytes) : fragment_bytes(rs.fragment_size(segment_bytes)) {
        fragments.assign(static_cast<std::size_t>(rs.k() + rs.m()), std::vector<char>(fragment_bytes));
        unsigned x = 12345;
        for (auto& f : fragments) {
            for (auto& c : f) c = static_cast<char>(x = x * 1103515245u + 12345u);
            pointers.push_back(f.data());
        }
    }
};

template <typename F>
double gigabytes_per_second(std::size_t segment_bytes, std::uint64_t total, F&& step) {
    const std::uint64_t rounds = total / segment_bytes;
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < rounds; ++i) step();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(rounds * segment_bytes) / seconds / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t total = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 512) << 20;
    const std::size_t segment = static_cast<std::size_t>(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024) << 10;

    std::vector<char> from(segment, 'x');
    std::vector<char> to(segment);
    const double copy = gigabytes_per_second(segment, total, [&] {
        std::memcpy(to.data(), from.data(), segment);
        asm volatile("" : : "r"(to.data()) : "memory");  // keep the copy
    });
    std::printf("segment %zu KiB; memcpy %.2f GB/s\n", segment >> 10, copy);
    std::printf("%-6s %-12s %10s %14s %14s\n", "code", "algorithm", "encode GB/s", "decode-1 GB/s", "decode-m GB/s");

    for (const auto& [k, m] : {std::pair{4, 2}, std::pair{8, 4}, std::pair{2, 1}, std::pair{6, 3}}) {
        for (const auto algorithm : {RsAlgorithm::vandermonde, RsAlgorithm::cauchy}) {
            const ReedSolomon rs(k, m, algorithm);
            Stripe s(rs, segment);
            const double encode =
                gigabytes_per_second(segment, total, [&] { rs.encode(s.pointers, s.fragment_bytes); });
            auto decode_losing = [&](int lost) {
                std::vector<int> missing;
                for (int i = 0; i < lost; ++i) missing.push_back(i);  // data fragments 0..lost-1
                return gigabytes_per_second(segment, total,
                                            [&] { rs.decode(s.pointers, missing, s.fragment_bytes); });
            };
            const double one = decode_losing(1);
            const double all = decode_losing(m);
            std::printf("%d+%-4d %-12s %10.2f %14.2f %14.2f\n", k, m, std::string(to_string(algorithm)).c_str(),
                        encode, one, all);
        }
    }
    return 0;
}
