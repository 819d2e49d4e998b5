#include "core/s3/delete_objects_request.hpp"

#include "core/s3/error.hpp"
#include "core/s3/xml_request.hpp"

namespace shoal::s3 {

DeleteObjectsRequest parse_delete_objects(std::string_view body) {
    pugi::xml_document doc;
    load_xml_request(doc, body, "Delete");
    const pugi::xml_node root = doc.child("Delete");
    if (!root) throw malformed_xml("expected a Delete element");
    DeleteObjectsRequest request;
    request.quiet = xml_text(root.child("Quiet")) == "true";
    for (const pugi::xml_node object : root.children("Object")) {
        DeleteObjectsRequest::Object item{xml_text(object.child("Key")), std::nullopt};
        if (const pugi::xml_node v = object.child("VersionId")) item.version_id = xml_text(v);
        request.objects.push_back(std::move(item));
    }
    if (request.objects.empty() || request.objects.size() > kMaxDeleteObjects) {
        throw malformed_xml("a Delete request names 1 to 1000 objects");
    }
    return request;
}

}  // namespace shoal::s3
