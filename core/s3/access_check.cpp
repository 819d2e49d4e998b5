#include "core/s3/access_check.hpp"

#include "core/access/key_ring.hpp"
#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

S3Error denied(const Call& call, std::string_view why) {
    return access_denied("Access Denied: " + std::string(why) + " (" +
                         std::string(call.auth ? "key " + call.auth->access_key : "anonymous request") + ")");
}

void check_bucket_permission(const Call& call, const std::string& bucket, access::Permission needed) {
    const std::optional<meta::BucketRecord> record =
        call.services.objects.meta().snapshot().catalog().bucket(bucket);
    if (!record || !call.services.keys.allows(call.auth->access_key, record->id, needed)) {
        throw denied(call, "no " + access::format_permissions(static_cast<access::Permissions>(needed)) +
                               " grant on bucket " + bucket);
    }
}

}  // namespace

void check_access(const Call& call, Operation op) {
    if (!call.auth) {
        if (op == Operation::get_object || op == Operation::head_object) {
            const std::optional<meta::BucketRecord> record =
                call.services.objects.meta().snapshot().catalog().bucket(call.target.bucket);
            if (record && record->public_read) return;
        }
        throw access_denied(
            "Anonymous access is not allowed here: sign your request with AWS Signature Version 4 (only "
            "GetObject and HeadObject in a public-read bucket are served without one).");
    }
    const access::KeyRing& keys = call.services.keys;
    if (keys.is_root(call.auth->access_key)) return;
    if (op == Operation::admin) throw denied(call, "the node's administration takes the root key");
    if (op == Operation::list_buckets) return;  // lists only the key's own buckets
    if (op == Operation::create_bucket) {
        if (!keys.may_create_buckets(call.auth->access_key)) throw denied(call, "this key may not create buckets");
        return;
    }
    check_bucket_permission(call, call.target.bucket, *bucket_permission(op));
}

void check_source_access(const Call& call, const std::string& source_bucket) {
    if (!call.auth || call.services.keys.is_root(call.auth->access_key)) return;
    check_bucket_permission(call, source_bucket, access::Permission::read);
}

}  // namespace shoal::s3
