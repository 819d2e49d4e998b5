#include "core/s3/create_bucket_request.hpp"

#include "core/s3/error.hpp"
#include "core/s3/xml_request.hpp"

namespace shoal::s3 {

std::string parse_create_bucket_location(std::string_view body) {
    if (body.empty()) return {};
    pugi::xml_document doc;
    load_xml_request(doc, body, "CreateBucketConfiguration");
    return xml_text(doc.child("CreateBucketConfiguration").child("LocationConstraint"));
}

}  // namespace shoal::s3
