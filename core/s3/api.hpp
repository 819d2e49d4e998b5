// The S3 API front: turns an HTTP exchange into an S3 operation and its
// answer. Errors of every layer below become S3 error responses here, each
// with the request's id; internal ones (5xx) tell the client no more than a
// generic message, their detail goes to the log under that id (failure.hpp).
#pragma once

#include <atomic>
#include <cstdint>

#include <asio/awaitable.hpp>

#include "core/auth/signing_key_cache.hpp"
#include "core/s3/call.hpp"
#include "core/s3/operation.hpp"

namespace shoal::s3 {

class Api {
public:
    // `maintenance` may be null (no background jobs: tests, tools).
    Api(engine::ObjectStore& objects, ApiOptions options, access::KeyRing& keys, log::Logger& log,
        engine::Maintenance* maintenance = nullptr);

    asio::awaitable<void> handle(http::Exchange& exchange);

    // A new request id (unique in this process: a random base and a counter).
    // Every answer carries one, whoever makes it. Thread-safe.
    std::string next_request_id();

    // The answer to a request the HTTP layer refuses itself (an http::ErrorRenderer):
    // with a request id; for a 5xx, a generic message, `reason` going to the
    // log. Thread-safe.
    http::Response transport_error(int status, std::string_view reason);

private:
    void authenticate(Call& call);
    asio::awaitable<void> dispatch(Call& call, Operation op);

    ApiOptions options_;
    InternalFailures failures_;
    Services services_;
    const std::uint64_t id_base_;
    std::atomic<std::uint64_t> id_counter_{0};
    auth::SigningKeyCache signing_keys_;
};

}  // namespace shoal::s3
