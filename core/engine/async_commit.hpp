// Awaiting a metadata mutation from a coroutine: the mutation joins the next
// group commit; the coroutine resumes on its own executor once the group is
// durable, or with the mutation's exception.
#pragma once

#include <exception>
#include <memory>
#include <utility>

#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/awaitable.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "core/meta/store.hpp"

namespace shoal::engine {

inline asio::awaitable<void> async_commit(meta::Store& store, meta::Store::Mutation mutation) {
    co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
        [&store](auto handler, meta::Store::Mutation m) {
            // The work guard keeps the event loop running while the commit is pending.
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            // Completions are copyable std::functions; the handler is move-only.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            store.submit(std::move(m), [shared, work](std::exception_ptr error) {
                asio::post(work.get_executor(), [shared, error]() mutable { std::move(*shared)(error); });
            });
        },
        asio::use_awaitable, std::move(mutation));
}

}  // namespace shoal::engine
