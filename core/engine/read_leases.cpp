#include "core/engine/read_leases.hpp"

namespace shoal::engine {

ReadLeases::Lease& ReadLeases::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        end();
        owner_ = std::exchange(other.owner_, nullptr);
        generation_ = other.generation_;
    }
    return *this;
}

void ReadLeases::Lease::end() {
    if (owner_ != nullptr) std::exchange(owner_, nullptr)->release(generation_);
}

ReadLeases::Lease ReadLeases::acquire() {
    std::lock_guard lock(mutex_);
    const std::uint64_t generation = next_generation_;
    ++held_[generation];
    return Lease(this, generation);
}

std::vector<meta::ChunkRef> ReadLeases::retire(std::vector<meta::ChunkRef> refs) {
    if (refs.empty()) return refs;
    std::lock_guard lock(mutex_);
    const std::uint64_t batch = next_generation_++;
    // Every lease held was acquired at a generation <= batch.
    if (held_.empty()) return refs;
    waiting_.emplace_back(batch, std::move(refs));
    return {};
}

void ReadLeases::release(std::uint64_t generation) {
    std::vector<meta::ChunkRef> ready;
    {
        std::lock_guard lock(mutex_);
        const auto it = held_.find(generation);
        if (it != held_.end() && --it->second == 0) held_.erase(it);
        const std::uint64_t oldest = held_.empty() ? UINT64_MAX : held_.begin()->first;
        // Batch i waits for leases of generation <= i.
        while (!waiting_.empty() && waiting_.front().first < oldest) {
            auto& refs = waiting_.front().second;
            ready.insert(ready.end(), std::make_move_iterator(refs.begin()), std::make_move_iterator(refs.end()));
            waiting_.pop_front();
        }
    }
    if (!ready.empty()) reclaim_(std::move(ready));
}

std::size_t ReadLeases::held() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [generation, count] : held_) n += count;
    return n;
}

std::size_t ReadLeases::waiting() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [batch, refs] : waiting_) n += refs.size();
    return n;
}

}  // namespace shoal::engine
