// Routes a request to the endpoint that answers it.
//
// Today: the health endpoints. Every other request gets the S3
// NotImplemented error until the S3 operations land.
#pragma once

#include <asio/awaitable.hpp>

#include "core/http/exchange.hpp"
#include "core/http/response.hpp"

namespace shoal::api {

class Router {
public:
    asio::awaitable<void> handle(http::Exchange& exchange) const;

    // The answer to a request that needs no body streaming.
    http::Response route(const http::Request& request) const;
};

}  // namespace shoal::api
