// What the `shoald admin` verbs share: the node to talk to, requests to its
// /_shoal/ endpoints signed with the root credentials, and their answers.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <pugixml.hpp>

#include "core/auth/signer.hpp"
#include "core/http/blocking_client.hpp"

namespace shoal::firmware {

// A command line that does not make sense (exit status 2).
class AdminUsage : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AdminEndpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 9000;
    std::string region = "us-east-1";
    auth::Credentials credentials;
};

// Sends a signed request without a body. Throws std::runtime_error with the
// S3 error's code and message for any status of 300 or more.
http::ClientResponse admin_call(const AdminEndpoint& node, const std::string& method, const std::string& target);

// "?policy=EC4+2" with each value percent-encoded ('+' would read as a space);
// several name=value pairs joined by '&' are encoded one by one.
std::string percent_encode_query(const std::string& query);

// The answer's XML document; throws if it is not XML.
pugi::xml_document answer_xml(const http::ClientResponse& response);

}  // namespace shoal::firmware
