#include "core/http/response.hpp"

#include <ctime>

namespace shoal::http {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 201: return "Created";
        case 200: return "OK";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 411: return "Length Required";
        case 412: return "Precondition Failed";
        case 413: return "Payload Too Large";
        case 414: return "URI Too Long";
        case 416: return "Range Not Satisfiable";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        case 507: return "Insufficient Storage";
        default: return "Unknown";
    }
}

bool status_has_no_body(int status) { return status < 200 || status == 204 || status == 304; }

std::string serialize_head(int status, const std::vector<Header>& headers, BodyFrame frame, bool keep_alive,
                           std::string_view date) {
    std::string out;
    out.reserve(256);
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason_phrase(status);
    out += "\r\nServer: Shoal\r\nDate: ";
    out += date;
    out += "\r\n";
    for (const Header& h : headers) {
        out += h.name;
        out += ": ";
        out += h.value;
        out += "\r\n";
    }
    if (!status_has_no_body(status)) {
        if (frame.kind == BodyFrame::length) {
            out += "Content-Length: ";
            out += std::to_string(frame.bytes);
            out += "\r\n";
        } else if (frame.kind == BodyFrame::chunked) {
            out += "Transfer-Encoding: chunked\r\n";
        }
    }
    out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return out;
}

std::string http_date_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(buf, n);
}

}  // namespace shoal::http
