#include "core/engine/version_source.hpp"

#include <algorithm>

namespace shoal::engine {

VersionSource::VersionSource(ObjectStore& store, const meta::ObjectVersion& version, std::string bucket,
                             std::uint64_t first, std::uint64_t length)
    : reader_(store.open(version, std::move(bucket))), next_(first), end_(first + length) {}

asio::awaitable<std::size_t> VersionSource::read(std::span<char> out) {
    if (next_ >= end_ || out.empty()) co_return 0;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), end_ - next_));
    const std::size_t n = co_await reader_->read(next_, out.first(want));
    // A version's chunks cover its size: a short read means the record and
    // the chunks disagree, which must not pass as a shorter object.
    if (n == 0) throw StorageUnavailable("object content ended before its recorded size");
    next_ += n;
    co_return n;
}

}  // namespace shoal::engine
