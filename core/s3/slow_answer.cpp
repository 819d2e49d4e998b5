#include "core/s3/slow_answer.hpp"

#include <exception>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/s3/errors.hpp"
#include "core/s3/failure.hpp"

namespace shoal::s3 {
namespace {

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

// The document after its declaration (sent already with the early head).
std::string_view without_declaration(const std::string& document) {
    std::string_view rest(document);
    if (rest.starts_with(kDeclaration)) rest.remove_prefix(kDeclaration.size());
    return rest;
}

}  // namespace

asio::awaitable<void> answer_when_done(Call& call, std::vector<http::Header> early_headers,
                                       std::function<asio::awaitable<XmlAnswer>()> work) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    bool done = false;
    std::exception_ptr error;
    std::optional<XmlAnswer> answer;
    // The work refers to this frame: whatever happens below, this coroutine
    // returns only once the work has ended.
    asio::co_spawn(
        executor, [&]() -> asio::awaitable<void> { answer = co_await work(); },
        [&](std::exception_ptr e) {
            error = e;
            done = true;
            timer.cancel();
        });

    bool started = false;
    bool client_gone = false;
    while (!done) {
        timer.expires_after(call.services.options.keepalive_interval);
        std::error_code ignored;  // cancelled when the work ends
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (done || client_gone) continue;
        try {
            if (!started) {
                started = true;
                std::vector<http::Header> headers = call.base_headers();
                headers.push_back(http::Header{"Content-Type", "application/xml"});
                headers.insert(headers.end(), early_headers.begin(), early_headers.end());
                co_await call.exchange.begin(200, headers, std::nullopt);
                co_await call.exchange.write(kDeclaration);
            } else {
                co_await call.exchange.write(std::string_view(" "));
            }
        } catch (const std::exception&) {
            client_gone = true;  // the work still runs to its end (it owns chunks to clean up)
        }
    }

    if (client_gone) throw http::ConnectionLost("the client left during a long answer");
    if (!started) {
        if (error) std::rethrow_exception(error);
        co_await call.respond_xml(200, std::move(answer->document), std::move(answer->headers));
        co_return;
    }
    std::string tail;
    if (error) {
        const std::optional<S3Error> failure = failure_of(error, call);
        if (!failure) std::rethrow_exception(error);
        tail = without_declaration(call.error_answer(*failure).body);
    } else {
        tail = without_declaration(answer->document);
    }
    co_await call.exchange.write(tail);
    co_await call.exchange.finish();
}

}  // namespace shoal::s3
