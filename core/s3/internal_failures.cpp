#include "core/s3/internal_failures.hpp"

#include <chrono>

namespace shoal::s3 {

void InternalFailures::record(Failure failure) {
    failure.time_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count());
    if (std::string& detail = failure.detail; detail.size() > kMaxDetail) {
        detail.resize(kMaxDetail - 3);
        // Not inside a UTF-8 sequence: the detail goes into XML.
        while (!detail.empty() && (static_cast<unsigned char>(detail.back()) & 0xC0) == 0x80) detail.pop_back();
        if (!detail.empty() && static_cast<unsigned char>(detail.back()) >= 0xC0) detail.pop_back();
        detail += "...";
    }
    const std::lock_guard lock(mutex_);
    if (failures_.size() == kCapacity) failures_.pop_front();
    failures_.push_back(std::move(failure));
}

std::vector<InternalFailures::Failure> InternalFailures::recent() const {
    const std::lock_guard lock(mutex_);
    return {failures_.rbegin(), failures_.rend()};
}

}  // namespace shoal::s3
