// A latency histogram of fixed size (log-linear buckets, < 1.6 % relative
// error): each benchmark client records into its own, and the run merges them.
// Memory does not grow with the number of operations.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace shoal::bench {

class LatencyHistogram {
public:
    void record(std::chrono::nanoseconds latency);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    // The latency at quantile q (0..1), as the middle of its bucket; 0 when empty.
    std::chrono::nanoseconds quantile(double q) const;
    std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(max_); }
    std::chrono::nanoseconds mean() const;

private:
    // Values below kLinear nanoseconds have a bucket each; above, every power
    // of two is split into kSub buckets.
    static constexpr unsigned kSubBits = 6;
    static constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;
    static constexpr std::uint64_t kLinear = 2 * kSub;
    static constexpr unsigned kMaxExponent = 44;  // ~4.9 hours; longer values share the last bucket
    static constexpr std::size_t kBuckets = kLinear + (kMaxExponent - kSubBits) * kSub;

    static std::size_t bucket_of(std::uint64_t ns);
    static std::uint64_t middle_of(std::size_t bucket);

    std::array<std::uint64_t, kBuckets> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace shoal::bench
