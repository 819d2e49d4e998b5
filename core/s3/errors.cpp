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
                              std::string_view resource, std::string_view request_id) {
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
    if (!request_id.empty()) {
        body += "<RequestId>";
        append_xml_escaped(body, request_id);
        body += "</RequestId>";
    }
    body += "</Error>";
    return response;
}

std::string_view transport_error_code(int status) {
    switch (status) {
        case 408: return "RequestTimeout";
        case 414: return "InvalidURI";
        case 431: return "RequestHeaderSectionTooLarge";
        case 500: return "InternalError";
        case 501: return "NotImplemented";
        case 503: return "SlowDown";
        case 505: return "HttpVersionNotSupported";
        default: return "BadRequest";
    }
}

http::Response transport_error(int status, std::string_view reason, std::string_view request_id) {
    http::Response response = error_response(status, transport_error_code(status), reason, {}, request_id);
    if (!request_id.empty()) {
        response.set("x-amz-request-id", std::string(request_id));
        response.set("x-amz-id-2", std::string(request_id));
    }
    return response;
}

bool is_internal_failure(int status) { return status >= 500 && status != 501; }

std::string_view generic_message(int status, std::string_view code) {
    if (code == "SlowDown") return "Please reduce your request rate.";
    if (code == "InsufficientStorage") return "There is not enough storage on this node to complete the request.";
    if (status == 503) return "Service is unable to handle request.";
    return "We encountered an internal error. Please try again.";
}

}  // namespace shoal::s3
