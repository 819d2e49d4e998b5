// S3 error responses: the XML body and status every S3 client understands.
#pragma once

#include <string_view>

#include "core/http/response.hpp"

namespace shoal::s3 {

// <Error><Code>code</Code><Message>message</Message><Resource>resource</Resource>
// <RequestId>request_id</RequestId></Error>, the empty parts left out.
http::Response error_response(int status, std::string_view code, std::string_view message,
                              std::string_view resource = {}, std::string_view request_id = {});

// The S3 error for a request the HTTP layer rejected before routing (bad
// syntax, limits, timeouts, overload), with `reason` as its message; with a
// request id, it carries the x-amz-request-id header and <RequestId>.
http::Response transport_error(int status, std::string_view reason, std::string_view request_id = {});

// The S3 error code of a status the HTTP layer answers (400 BadRequest, 503 SlowDown...).
std::string_view transport_error_code(int status);

// Whether an answer of `status` reports a failure inside the node (500, 503,
// 507...; not 501, which is about the request): its client gets only
// generic_message(), the detail goes to the log under the request id.
bool is_internal_failure(int status);

// The message a client gets for an internal failure: the same for every
// failure of that code, naming no path, drive or system error.
std::string_view generic_message(int status, std::string_view code);

// Escapes &, <, >, " and ' for XML text and attribute values, and CR (which
// XML readers would otherwise turn into LF).
void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace shoal::s3
