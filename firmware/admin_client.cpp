#include "firmware/admin_client.hpp"

#include <chrono>

#include "core/s3/target.hpp"

namespace shoal::firmware {
namespace {

constexpr auto kTimeout = std::chrono::seconds(30);
// SHA-256 of an empty body: what an admin request without a body signs.
constexpr const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

http::ClientResponse admin_call(const AdminEndpoint& node, const std::string& method, const std::string& target) {
    http::Request request;
    request.method = method;
    request.target = target;
    const std::string host = (node.host.find(':') != std::string::npos ? "[" + node.host + "]" : node.host) + ":" +
                             std::to_string(node.port);
    request.headers.push_back({"Host", host});
    auth::SigningParams params;
    params.credentials = node.credentials;
    params.region = node.region;
    params.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auth::sign_request(request, params, kEmptySha256);
    http::ClientResponse response = http::send_request(node.host, node.port, request, "", kTimeout);
    if (response.status >= 300) {
        pugi::xml_document doc;
        std::string message = response.body;
        if (doc.load_string(response.body.c_str())) {
            message = std::string(doc.child("Error").child_value("Code")) + ": " +
                      doc.child("Error").child_value("Message");
        }
        throw std::runtime_error(method + " " + target + ": HTTP " + std::to_string(response.status) + ": " + message);
    }
    return response;
}

std::string percent_encode_query(const std::string& query) {
    std::string_view rest = query;
    std::string out;
    if (rest.starts_with('?')) {
        out = "?";
        rest.remove_prefix(1);
    }
    for (bool first = true; !rest.empty(); first = false) {
        const std::size_t amp = rest.find('&');
        const std::string_view item = rest.substr(0, amp);
        if (!first) out += '&';
        const std::size_t eq = item.find('=');
        out += item.substr(0, eq == std::string_view::npos ? item.size() : eq + 1);
        if (eq != std::string_view::npos) out += s3::percent_encode(item.substr(eq + 1), false);
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return out;
}

pugi::xml_document answer_xml(const http::ClientResponse& response) {
    pugi::xml_document doc;
    if (!doc.load_string(response.body.c_str())) throw std::runtime_error("the node's answer is not XML");
    return doc;
}

}  // namespace shoal::firmware
