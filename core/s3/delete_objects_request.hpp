// The body of DeleteObjects (POST /bucket?delete):
//
//   <Delete><Quiet>true</Quiet>
//     <Object><Key>k</Key><VersionId>v</VersionId></Object> ...
//   </Delete>
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::s3 {

inline constexpr std::size_t kMaxDeleteObjects = 1000;

struct DeleteObjectsRequest {
    struct Object {
        std::string key;                        // as sent: validated per object by the operation
        std::optional<std::string> version_id;  // present if a VersionId element is
    };
    bool quiet = false;
    std::vector<Object> objects;  // 1 to kMaxDeleteObjects, in document order
};

// Throws S3Error MalformedXML: not XML, no Delete root, 0 or too many objects.
DeleteObjectsRequest parse_delete_objects(std::string_view body);

}  // namespace shoal::s3
