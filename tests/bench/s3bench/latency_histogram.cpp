#include "tests/bench/s3bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace shoal::bench {

std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
    if (ns < kLinear) return static_cast<std::size_t>(ns);
    // ns >= 2^(kSubBits+1): exponent e >= kSubBits+1, keep kSubBits bits below the top one.
    const unsigned e = static_cast<unsigned>(std::bit_width(ns)) - 1;
    if (e >= kMaxExponent) return kBuckets - 1;
    const std::uint64_t sub = (ns >> (e - kSubBits)) & (kSub - 1);
    return static_cast<std::size_t>(kLinear + (e - kSubBits - 1) * kSub + sub);
}

std::uint64_t LatencyHistogram::middle_of(std::size_t bucket) {
    if (bucket < kLinear) return bucket;
    const std::uint64_t rel = bucket - kLinear;
    const unsigned e = static_cast<unsigned>(rel / kSub) + kSubBits + 1;
    const std::uint64_t sub = rel % kSub;
    const std::uint64_t width = std::uint64_t{1} << (e - kSubBits);
    const std::uint64_t low = (std::uint64_t{1} << e) + sub * width;
    return low + width / 2;
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
    const std::uint64_t ns = latency.count() < 0 ? 0 : static_cast<std::uint64_t>(latency.count());
    ++buckets_[bucket_of(ns)];
    ++count_;
    max_ = std::max(max_, ns);
    sum_ += static_cast<long double>(ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

std::chrono::nanoseconds LatencyHistogram::quantile(double q) const {
    if (count_ == 0) return std::chrono::nanoseconds(0);
    q = std::clamp(q, 0.0, 1.0);
    // The smallest value v such that at least q of the samples are <= v.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(middle_of(i), max_)));
        }
    }
    return max();
}

std::chrono::nanoseconds LatencyHistogram::mean() const {
    if (count_ == 0) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(sum_ / static_cast<long double>(count_)));
}

}  // namespace shoal::bench
