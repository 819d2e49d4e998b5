#include "core/s3/operation.hpp"

#include <catch2/catch.hpp>

#include "core/s3/error.hpp"

using namespace shoal::s3;
using shoal::access::Permission;

namespace {

Operation op(const std::string& method, const std::string& target, bool copy = false) {
    shoal::http::Request request;
    request.method = method;
    request.target = target;
    request.headers.push_back({"Host", "127.0.0.1"});
    if (copy) request.headers.push_back({"x-amz-copy-source", "/b/k"});
    return classify(request, parse_target(request, {}));
}

}  // namespace

TEST_CASE("requests are classified into S3 operations with the permission they need", "[s3]") {
    CHECK(op("GET", "/") == Operation::list_buckets);
    CHECK(op("PUT", "/bucket") == Operation::create_bucket);
    CHECK(op("GET", "/bucket?list-type=2") == Operation::list_objects_v2);
    CHECK(op("GET", "/bucket") == Operation::list_objects_v1);
    CHECK(op("GET", "/bucket?versions") == Operation::list_object_versions);
    CHECK(op("PUT", "/bucket?versioning") == Operation::put_bucket_versioning);
    CHECK(op("POST", "/bucket?delete") == Operation::delete_objects);
    CHECK(op("PUT", "/bucket/key") == Operation::put_object);
    CHECK(op("PUT", "/bucket/key", true) == Operation::copy_object);
    CHECK(op("PUT", "/bucket/key?uploadId=u&partNumber=1", true) == Operation::upload_part_copy);
    CHECK(op("GET", "/bucket/key?uploadId=u") == Operation::list_parts);
    CHECK(op("DELETE", "/bucket/key?tagging") == Operation::delete_object_tagging);
    CHECK(op("HEAD", "/bucket/key") == Operation::head_object);
    CHECK(op("GET", "/_shoal/drives") == Operation::admin);

    CHECK(bucket_permission(Operation::get_object) == Permission::read);
    CHECK(bucket_permission(Operation::list_parts) == Permission::read);
    CHECK(bucket_permission(Operation::delete_objects) == Permission::write);
    CHECK(bucket_permission(Operation::upload_part_copy) == Permission::write);
    CHECK(bucket_permission(Operation::delete_bucket) == Permission::owner);
    CHECK(bucket_permission(Operation::put_bucket_versioning) == Permission::owner);
    CHECK_FALSE(bucket_permission(Operation::list_buckets).has_value());
    CHECK_FALSE(bucket_permission(Operation::create_bucket).has_value());
    CHECK_FALSE(bucket_permission(Operation::admin).has_value());
    CHECK(operation_name(Operation::complete_multipart_upload) == "CompleteMultipartUpload");

    CHECK_THROWS_AS(op("PATCH", "/bucket/key"), S3Error);
    CHECK_THROWS_AS(op("GET", "/bucket?cors"), S3Error);
    CHECK_THROWS_AS(op("GET", "/Bad_Bucket/key"), S3Error);
    CHECK_THROWS_AS(op("POST", "/"), S3Error);
}
