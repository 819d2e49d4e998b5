#include "core/api/router.hpp"

#include "core/s3/errors.hpp"

namespace shoal::api {
namespace {

// GET/HEAD /health/live: the process is up and serving HTTP (MinIO's convention,
// which load balancers and orchestrators already probe).
http::Response health_live(const http::Request& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        http::Response response = s3::error_response(405, "MethodNotAllowed",
                                                      "the health endpoint accepts GET and HEAD",
                                                      request.path());
        response.set("Allow", "GET, HEAD");
        return response;
    }
    http::Response response;
    response.set("Cache-Control", "no-store");
    return response;
}

}  // namespace

asio::awaitable<void> Router::handle(http::Exchange& exchange) const {
    co_await exchange.respond(route(exchange.request()));
}

http::Response Router::route(const http::Request& request) const {
    if (request.path() == "/health/live") return health_live(request);
    return s3::error_response(501, "NotImplemented", "this operation is not implemented yet", request.path());
}

}  // namespace shoal::api
