#include "core/runtime/event_loops.hpp"

#include <algorithm>

namespace shoal::runtime {

EventLoops::EventLoops(std::size_t count) {
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    loops_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto loop = std::make_unique<Loop>();
        loop->keep_alive.emplace(loop->context.get_executor());
        loops_.push_back(std::move(loop));
    }
}

EventLoops::~EventLoops() {
    stop();
    join();
}

std::size_t EventLoops::next_index() {
    const std::size_t chosen = next_;
    next_ = (next_ + 1) % loops_.size();
    return chosen;
}

void EventLoops::start() {
    std::lock_guard lock(mutex_);
    for (auto& loop : loops_) {
        ++running_;
        loop->thread = std::thread([this, ctx = &loop->context] {
            ctx->run();
            std::lock_guard done(mutex_);
            --running_;
            finished_cv_.notify_all();
        });
    }
}

void EventLoops::release() {
    for (auto& loop : loops_) loop->keep_alive.reset();
}

void EventLoops::stop() {
    for (auto& loop : loops_) {
        loop->keep_alive.reset();
        loop->context.stop();
    }
}

bool EventLoops::wait_finished(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return finished_cv_.wait_for(lock, timeout, [this] { return running_ == 0; });
}

void EventLoops::join() {
    for (auto& loop : loops_) {
        if (loop->thread.joinable()) loop->thread.join();
    }
}

}  // namespace shoal::runtime
