// Routes a request to the endpoint that answers it: the health endpoints,
// else the S3 API.
#pragma once

#include <asio/awaitable.hpp>

#include "core/http/exchange.hpp"
#include "core/http/response.hpp"
#include "core/s3/api.hpp"

namespace shoal::api {

class Router {
public:
    explicit Router(s3::Api& s3) : s3_(s3) {}

    asio::awaitable<void> handle(http::Exchange& exchange);

private:
    s3::Api& s3_;
};

}  // namespace shoal::api
