#include "core/s3/versioning_request.hpp"

#include <string>

#include <pugixml.hpp>

#include "core/s3/error.hpp"

namespace shoal::s3 {

meta::Versioning parse_versioning_configuration(std::string_view body) {
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) throw malformed_xml("VersioningConfiguration");
    const pugi::xml_node config = doc.child("VersioningConfiguration");
    if (!config) throw malformed_xml("expected a VersioningConfiguration element");
    const std::string status = config.child_value("Status");
    if (std::string(config.child_value("MfaDelete")) == "Enabled") throw not_implemented("MFA delete is not supported");
    if (status == "Enabled") return meta::Versioning::enabled;
    if (status == "Suspended") return meta::Versioning::suspended;
    throw malformed_xml("Status must be Enabled or Suspended");
}

}  // namespace shoal::s3
