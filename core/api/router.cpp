#include "core/api/router.hpp"

#include "core/s3/errors.hpp"

namespace shoal::api {
namespace {

// GET/HEAD /health/live: the process is up and serving HTTP (MinIO's convention,
// which load balancers and orchestrators already probe).
http::Response health_live(const http::Request& request, const std::string& request_id) {
    http::Response response;
    if (request.method != "GET" && request.method != "HEAD") {
        response = s3::error_response(405, "MethodNotAllowed", "the health endpoint accepts GET and HEAD",
                                      request.path(), request_id);
        response.set("Allow", "GET, HEAD");
    }
    response.set("Cache-Control", "no-store");
    response.set("x-amz-request-id", request_id);  // as every answer
    return response;
}

}  // namespace

asio::awaitable<void> Router::handle(http::Exchange& exchange) {
    if (exchange.request().path() == "/health/live") {
        co_await exchange.respond(health_live(exchange.request(), s3_.next_request_id()));
        co_return;
    }
    co_await s3_.handle(exchange);
}

}  // namespace shoal::api
