#include "core/s3/versioning_request.hpp"

#include <string>

#include "core/s3/error.hpp"
#include "core/s3/xml_request.hpp"

namespace shoal::s3 {

meta::Versioning parse_versioning_configuration(std::string_view body) {
    pugi::xml_document doc;
    load_xml_request(doc, body, "VersioningConfiguration");
    const pugi::xml_node config = doc.child("VersioningConfiguration");
    if (!config) throw malformed_xml("expected a VersioningConfiguration element");
    const std::string status = xml_text(config.child("Status"));
    if (xml_text(config.child("MfaDelete")) == "Enabled") throw not_implemented("MFA delete is not supported");
    if (status == "Enabled") return meta::Versioning::enabled;
    if (status == "Suspended") return meta::Versioning::suspended;
    throw malformed_xml("Status must be Enabled or Suspended");
}

}  // namespace shoal::s3
