#include "core/s3/operation.hpp"

#include "core/s3/call.hpp"
#include "core/s3/error.hpp"
#include "core/s3/names.hpp"

namespace shoal::s3 {
namespace {

[[noreturn]] void method_not_allowed() {
    throw S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

Operation classify_bucket(const std::string& method, const Target& t) {
    if (method == "GET") {
        if (t.has("location")) return Operation::get_bucket_location;
        if (t.has("versioning")) return Operation::get_bucket_versioning;
        if (t.has("versions")) return Operation::list_object_versions;
        if (t.has("uploads")) return Operation::list_multipart_uploads;
        if (t.has("acl") || t.has("policy") || t.has("lifecycle") || t.has("cors") || t.has("tagging") ||
            t.has("notification") || t.has("replication") || t.has("encryption") || t.has("object-lock") ||
            t.has("website") || t.has("logging") || t.has("ownershipControls")) {
            throw not_implemented("this bucket sub-resource is not implemented yet");
        }
        const std::string* list_type = t.param("list-type");
        return list_type != nullptr && *list_type == "2" ? Operation::list_objects_v2 : Operation::list_objects_v1;
    }
    if (method == "PUT") {
        if (t.has("versioning")) return Operation::put_bucket_versioning;
        if (!t.query.empty()) throw not_implemented("this bucket sub-resource is not implemented yet");
        return Operation::create_bucket;
    }
    if (method == "HEAD") return Operation::head_bucket;
    if (method == "DELETE") {
        if (!t.query.empty()) throw not_implemented("this bucket sub-resource is not implemented yet");
        return Operation::delete_bucket;
    }
    if (method == "POST" && t.has("delete")) return Operation::delete_objects;
    method_not_allowed();
}

Operation classify_object(const http::Request& request, const Target& t) {
    const std::string& method = request.method;
    if (method == "POST" && t.has("uploads")) return Operation::create_multipart_upload;
    if (t.has("uploadId")) {
        if (method == "PUT") {
            return request.header("x-amz-copy-source") ? Operation::upload_part_copy : Operation::upload_part;
        }
        if (method == "POST") return Operation::complete_multipart_upload;
        if (method == "DELETE") return Operation::abort_multipart_upload;
        if (method == "GET") return Operation::list_parts;
        method_not_allowed();
    }
    if (t.has("tagging")) {
        if (method == "GET") return Operation::get_object_tagging;
        if (method == "PUT") return Operation::put_object_tagging;
        if (method == "DELETE") return Operation::delete_object_tagging;
        method_not_allowed();
    }
    if (t.has("uploads") || t.has("acl") || t.has("retention") || t.has("legal-hold") || t.has("attributes") ||
        t.has("restore") || t.has("select")) {
        throw not_implemented("this object sub-resource is not implemented yet");
    }
    if (method == "PUT") return request.header("x-amz-copy-source") ? Operation::copy_object : Operation::put_object;
    if (method == "GET") return Operation::get_object;
    if (method == "HEAD") return Operation::head_object;
    if (method == "DELETE") return Operation::delete_object;
    method_not_allowed();
}

}  // namespace

Operation classify(const http::Request& request, const Target& t) {
    if (t.bucket.empty()) {
        if (request.method == "GET") return Operation::list_buckets;
        method_not_allowed();
    }
    if (t.bucket == kAdminPath) return Operation::admin;
    if (auto problem = bucket_name_problem(t.bucket)) throw S3Error(400, "InvalidBucketName", *problem);
    if (t.key.empty()) return classify_bucket(request.method, t);
    if (auto problem = object_key_problem(t.key)) throw S3Error(400, problem->code, problem->message);
    return classify_object(request, t);
}

std::string_view operation_name(Operation op) {
    switch (op) {
        case Operation::list_buckets: return "ListBuckets";
        case Operation::create_bucket: return "CreateBucket";
        case Operation::head_bucket: return "HeadBucket";
        case Operation::delete_bucket: return "DeleteBucket";
        case Operation::get_bucket_location: return "GetBucketLocation";
        case Operation::get_bucket_versioning: return "GetBucketVersioning";
        case Operation::put_bucket_versioning: return "PutBucketVersioning";
        case Operation::list_objects_v1: return "ListObjects";
        case Operation::list_objects_v2: return "ListObjectsV2";
        case Operation::list_object_versions: return "ListObjectVersions";
        case Operation::list_multipart_uploads: return "ListMultipartUploads";
        case Operation::delete_objects: return "DeleteObjects";
        case Operation::create_multipart_upload: return "CreateMultipartUpload";
        case Operation::upload_part: return "UploadPart";
        case Operation::upload_part_copy: return "UploadPartCopy";
        case Operation::complete_multipart_upload: return "CompleteMultipartUpload";
        case Operation::abort_multipart_upload: return "AbortMultipartUpload";
        case Operation::list_parts: return "ListParts";
        case Operation::get_object_tagging: return "GetObjectTagging";
        case Operation::put_object_tagging: return "PutObjectTagging";
        case Operation::delete_object_tagging: return "DeleteObjectTagging";
        case Operation::put_object: return "PutObject";
        case Operation::copy_object: return "CopyObject";
        case Operation::get_object: return "GetObject";
        case Operation::head_object: return "HeadObject";
        case Operation::delete_object: return "DeleteObject";
        case Operation::admin: return "Admin";
    }
    return "Unknown";
}

std::optional<access::Permission> bucket_permission(Operation op) {
    using access::Permission;
    switch (op) {
        case Operation::list_buckets:
        case Operation::create_bucket:
        case Operation::admin:
            return std::nullopt;
        case Operation::head_bucket:
        case Operation::get_bucket_location:
        case Operation::get_bucket_versioning:
        case Operation::list_objects_v1:
        case Operation::list_objects_v2:
        case Operation::list_object_versions:
        case Operation::list_multipart_uploads:
        case Operation::list_parts:
        case Operation::get_object_tagging:
        case Operation::get_object:
        case Operation::head_object:
            return Permission::read;
        case Operation::delete_objects:
        case Operation::create_multipart_upload:
        case Operation::upload_part:
        case Operation::upload_part_copy:
        case Operation::complete_multipart_upload:
        case Operation::abort_multipart_upload:
        case Operation::put_object_tagging:
        case Operation::delete_object_tagging:
        case Operation::put_object:
        case Operation::copy_object:
        case Operation::delete_object:
            return Permission::write;
        case Operation::delete_bucket:
        case Operation::put_bucket_versioning:
            return Permission::owner;
    }
    return Permission::owner;
}

}  // namespace shoal::s3
