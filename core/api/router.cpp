#include "core/api/router.hpp"

#include "core/s3/errors.hpp"

namespace shoal::api {
namespace {

// GET/HEAD /health/live: the process is up and serving HTTP (MinIO's convention,
// which load balancers and orchestrators already probe).
http::Response health_live(const http::Request& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        http::Response response = s3::error_response(405, "MethodNotAllowed",
                                                      "the health endpoint accepts GET and HEAD", request.path());
        response.set("Allow", "GET, HEAD");
        return response;
    }
    http::Response response;
    response.set("Cache-Control", "no-store");
    return response;
}

}  // namespace

asio::awaitable<void> Router::handle(http::Exchange& exchange) {
    if (exchange.request().path() == "/health/live") {
        co_await exchange.respond(health_live(exchange.request()));
        co_return;
    }
    co_await s3_.handle(exchange);
}

}  // namespace shoal::api
