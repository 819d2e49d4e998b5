// A fixed set of event loops, one asio::io_context and one thread each.
//
// One loop per core keeps the hot path free of locks: a connection lives on
// one loop for its whole life. Loops stay alive (even with nothing to do)
// until release() is called; then each thread exits once its loop runs out
// of work, or at once after stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

namespace shoal::runtime {

class EventLoops {
public:
    // count == 0 means one loop per online CPU.
    explicit EventLoops(std::size_t count);
    ~EventLoops();  // stops and joins

    EventLoops(const EventLoops&) = delete;
    EventLoops& operator=(const EventLoops&) = delete;

    std::size_t size() const { return loops_.size(); }
    asio::io_context& loop(std::size_t index) { return loops_[index]->context; }

    // Round-robin choice of a loop index for a new connection. Called from one thread only
    // (the acceptor's loop).
    std::size_t next_index();

    void start();    // starts one thread per loop
    void release();  // lets loops finish once they have no more work
    void stop();     // makes every loop return as soon as possible

    // Waits until every loop thread has finished, or the timeout passes.
    // Returns true if all finished.
    bool wait_finished(std::chrono::milliseconds timeout);
    void join();

private:
    struct Loop {
        asio::io_context context{1};
        std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_alive;
        std::thread thread;
    };

    std::vector<std::unique_ptr<Loop>> loops_;
    std::size_t next_ = 0;

    std::mutex mutex_;
    std::condition_variable finished_cv_;
    std::size_t running_ = 0;
};

}  // namespace shoal::runtime
