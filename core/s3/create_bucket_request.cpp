#include "core/s3/create_bucket_request.hpp"

#include <pugixml.hpp>

#include "core/s3/error.hpp"

namespace shoal::s3 {

std::string parse_create_bucket_location(std::string_view body) {
    if (body.empty()) return {};
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) throw malformed_xml("CreateBucketConfiguration");
    return doc.child("CreateBucketConfiguration").child_value("LocationConstraint");
}

}  // namespace shoal::s3
