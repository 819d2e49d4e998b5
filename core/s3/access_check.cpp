#include "core/s3/access_check.hpp"

#include "core/access/key_ring.hpp"
#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

std::string caller(const Call& call) {
    return call.auth ? "key " + call.auth->access_key : "anonymous request";
}

S3Error denied(const Call& call, std::string_view why) {
    return access_denied("Access Denied: " + std::string(why) + " (" + caller(call) + ")");
}

std::string no_grant(access::Permission needed, const std::string& bucket) {
    return "no " + access::format_permissions(static_cast<access::Permissions>(needed)) + " grant on bucket " + bucket;
}

}  // namespace

void check_access(Call& call, Operation op) {
    const std::optional<access::Permission> needed = bucket_permission(op);
    std::optional<meta::BucketRecord> record;
    if (needed) {
        // Resolved once: what follows reads and commits against this id.
        record = call.services.objects.meta().snapshot().catalog().bucket(call.target.bucket);
        if (record) call.access.bucket_id = record->id;
    }
    if (!call.auth) {
        if ((op == Operation::get_object || op == Operation::head_object) && record && record->public_read) {
            // Public-read is the current version only: older versions and
            // delete markers (whose ids are guessable) need a key with read.
            if (call.target.has("versionId")) {
                throw access_denied("Anonymous access to object versions is not allowed: a public-read bucket "
                                    "serves the current version of its objects only.");
            }
            return;
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
    if (!record || !keys.allows(call.auth->access_key, record->id, *needed)) {
        throw denied(call, no_grant(*needed, call.target.bucket));
    }
    call.access.permission = *needed;
}

std::optional<std::uint64_t> check_source_access(const Call& call, const std::string& source_bucket) {
    if (!call.auth) throw access_denied("Anonymous requests may not copy objects.");
    const std::optional<meta::BucketRecord> record =
        call.services.objects.meta().snapshot().catalog().bucket(source_bucket);
    const access::KeyRing& keys = call.services.keys;
    if (!keys.is_root(call.auth->access_key) &&
        (!record || !keys.allows(call.auth->access_key, record->id, access::Permission::read))) {
        throw denied(call, no_grant(access::Permission::read, source_bucket));
    }
    if (!record) return std::nullopt;
    return record->id;
}

engine::CommitCheck commit_check(const Call& call, engine::CommitCheck then) {
    std::string access_key = call.auth ? call.auth->access_key : std::string();
    return [bucket_id = call.access.bucket_id, permission = call.access.permission, &keys = call.services.keys,
            name = call.target.bucket, who = caller(call), access_key = std::move(access_key),
            then = std::move(then)](const meta::Catalog& catalog, const meta::BucketRecord& bucket) {
        if (!bucket_id || bucket.id != *bucket_id) throw no_such_bucket(name);
        if (permission && !keys.allows_in(catalog, access_key, bucket.id, *permission)) {
            throw access_denied("Access Denied: " + no_grant(*permission, name) +
                                " any more: the key was disabled, deleted or denied while the request was in "
                                "progress (" + who + ")");
        }
        if (then) then(catalog, bucket);
    };
}

meta::BucketRecord checked_bucket(const Call& call, const meta::Catalog& catalog) {
    std::optional<meta::BucketRecord> bucket = catalog.bucket(call.target.bucket);
    if (!bucket || !call.access.bucket_id || bucket->id != *call.access.bucket_id) {
        throw no_such_bucket(call.target.bucket);
    }
    return std::move(*bucket);
}

}  // namespace shoal::s3
