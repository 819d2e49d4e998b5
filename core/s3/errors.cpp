#include "core/s3/errors.hpp"

namespace shoal::s3 {

void append_xml_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            // A raw CR would reach the reader as LF (XML end-of-line handling).
            case '\r': out += "&#13;"; break;
            default: out += c;
        }
    }
}

http::Response error_response(int status, std::string_view code, std::string_view message,
                              std::string_view resource) {
    http::Response response;
    response.status = status;
    response.set("Content-Type", "application/xml");
    std::string& body = response.body;
    body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>";
    append_xml_escaped(body, code);
    body += "</Code><Message>";
    append_xml_escaped(body, message);
    body += "</Message>";
    if (!resource.empty()) {
        body += "<Resource>";
        append_xml_escaped(body, resource);
        body += "</Resource>";
    }
    body += "</Error>";
    return response;
}

http::Response transport_error(int status, std::string_view reason) {
    std::string_view code = "BadRequest";
    switch (status) {
        case 408: code = "RequestTimeout"; break;
        case 414: code = "InvalidURI"; break;
        case 431: code = "RequestHeaderSectionTooLarge"; break;
        case 500: code = "InternalError"; break;
        case 501: code = "NotImplemented"; break;
        case 503: code = "SlowDown"; break;
        case 505: code = "HttpVersionNotSupported"; break;
        default: break;
    }
    return error_response(status, code, reason);
}

}  // namespace shoal::s3
