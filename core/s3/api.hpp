// The S3 API front: turns an HTTP exchange into an S3 operation and its
// answer. Errors of every layer below become S3 error responses here, each
// with the request's id.
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

private:
    void authenticate(Call& call);
    asio::awaitable<void> dispatch(Call& call, Operation op);
    std::string next_request_id();

    ApiOptions options_;
    Services services_;
    const std::uint64_t id_base_;
    std::atomic<std::uint64_t> id_counter_{0};
    auth::SigningKeyCache signing_keys_;
};

}  // namespace shoal::s3
