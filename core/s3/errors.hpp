// S3 error responses: the XML body and status every S3 client understands.
#pragma once

#include <string_view>

#include "core/http/response.hpp"

namespace shoal::s3 {

// <Error><Code>code</Code><Message>message</Message><Resource>resource</Resource></Error>
http::Response error_response(int status, std::string_view code, std::string_view message,
                              std::string_view resource = {});

// The S3 error for a request the HTTP layer rejected before routing
// (bad syntax, limits, timeouts, overload). Usable as an http::ErrorRenderer.
http::Response transport_error(int status, std::string_view reason);

// Escapes &, <, >, " and ' for XML text and attribute values, and CR (which
// XML readers would otherwise turn into LF).
void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace shoal::s3
