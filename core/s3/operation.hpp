// Which S3 operation a request asks for, decided once from its method, target
// and headers, before authentication: access checks (access_check.hpp) and
// dispatch (api.cpp) both work from it, so they cannot disagree.
#pragma once

#include <string_view>

#include "core/access/permission.hpp"
#include "core/http/request.hpp"
#include "core/s3/target.hpp"

namespace shoal::s3 {

enum class Operation {
    list_buckets,
    create_bucket,
    head_bucket,
    delete_bucket,
    get_bucket_location,
    get_bucket_versioning,
    put_bucket_versioning,
    list_objects_v1,
    list_objects_v2,
    list_object_versions,
    list_multipart_uploads,
    delete_objects,
    create_multipart_upload,
    upload_part,
    upload_part_copy,
    complete_multipart_upload,
    abort_multipart_upload,
    list_parts,
    get_object_tagging,
    put_object_tagging,
    delete_object_tagging,
    put_object,
    copy_object,
    get_object,
    head_object,
    delete_object,
    admin,  // /_shoal/...: the node's administration (root only)
};

// Throws S3Error for requests no operation serves: MethodNotAllowed,
// NotImplemented (sub-resources not served yet), InvalidBucketName and the
// key name errors.
Operation classify(const http::Request& request, const Target& target);

// The operation's name as AWS spells it ("GetObject"), for logs and errors.
std::string_view operation_name(Operation op);

// The permission a key needs on the addressed bucket. Nullopt for operations
// that are not about one existing bucket: ListBuckets (every key may ask, and
// sees its own buckets), CreateBucket (the key's create_buckets flag) and the
// administration (root only).
std::optional<access::Permission> bucket_permission(Operation op);

}  // namespace shoal::s3
