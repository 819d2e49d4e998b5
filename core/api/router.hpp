// Routes a request to the endpoint that answers it.
//
// Today: the health endpoints. Every other request gets the S3
// NotImplemented error until the S3 operations land.
#pragma once

#include "core/http/request.hpp"
#include "core/http/response.hpp"

namespace shoal::api {

class Router {
public:
    http::Response handle(const http::Request& request) const;
};

}  // namespace shoal::api
