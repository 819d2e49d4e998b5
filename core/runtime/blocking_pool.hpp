// Threads for blocking work (file I/O, fsync, LMDB reads that may fault),
// so that an event loop never stalls on a disk.
//
//   std::size_t n = co_await pool.run([&] { return ::pread(...); });
//
// run() hops to a pool thread, runs the function there, and resumes the
// awaiting coroutine on its own executor with the result (or its exception).
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>

namespace shoal::runtime {

class BlockingPool {
public:
    explicit BlockingPool(std::size_t threads) : pool_(threads) {}
    ~BlockingPool() { pool_.join(); }
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;

    template <typename F>
    asio::awaitable<std::invoke_result_t<F>> run(F fn) {
        using Result = std::invoke_result_t<F>;
        if constexpr (std::is_void_v<Result>) {
            co_await asio::co_spawn(
                pool_.get_executor(),
                [fn = std::move(fn)]() mutable -> asio::awaitable<void> {
                    fn();
                    co_return;
                },
                asio::use_awaitable);
        } else {
            // Wrapped in optional: co_spawn needs a default-constructible result.
            std::optional<Result> result = co_await asio::co_spawn(
                pool_.get_executor(),
                [fn = std::move(fn)]() mutable -> asio::awaitable<std::optional<Result>> {
                    co_return std::optional<Result>(fn());
                },
                asio::use_awaitable);
            co_return std::move(*result);
        }
    }

    // Runs `fn` on a pool thread, without waiting for it.
    template <typename F>
    void post(F fn) {
        asio::post(pool_, std::move(fn));
    }

    void stop() { pool_.stop(); }
    void join() { pool_.join(); }

private:
    asio::thread_pool pool_;
};

}  // namespace shoal::runtime
