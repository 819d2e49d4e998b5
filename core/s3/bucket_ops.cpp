// Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation, Get/PutBucketVersioning.
#include <chrono>

#include "core/access/key_ring.hpp"
#include "core/engine/async_commit.hpp"
#include "core/s3/access_check.hpp"
#include "core/s3/call.hpp"
#include "core/s3/create_bucket_request.hpp"
#include "core/s3/error.hpp"
#include "core/s3/errors.hpp"
#include "core/s3/versioning_request.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::size_t kMaxConfigBody = 64 * 1024;

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

meta::BucketRecord existing_bucket(Call& call) {
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    return checked_bucket(call, snapshot.catalog());  // the bucket access was checked against
}

// The ListBuckets document, read in a snapshot that ends before the answer
// is sent (a slow reader must not pin LMDB's pages: list_ops.cpp).
std::string buckets_document(const Call& call) {
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    XmlWriter xml("ListAllMyBucketsResult");
    xml.open("Owner").element("ID", call.services.options.owner_id).element("DisplayName", call.services.options.owner_id).close();
    xml.open("Buckets");
    const access::KeyRing& keys = call.services.keys;
    for (const meta::BucketRecord& b : snapshot.catalog().buckets()) {
        // A key sees the buckets it holds a grant on; root sees them all.
        if (keys.permissions(call.auth->access_key, b.id) == access::kNoPermissions) continue;
        xml.open("Bucket").element("Name", b.name).element("CreationDate", iso8601_ms(b.created_ms)).close();
    }
    xml.close();
    return xml.finish();
}

}  // namespace

asio::awaitable<void> list_buckets(Call& call) {
    std::string document = buckets_document(call);
    co_await call.respond_xml(200, std::move(document));
}

asio::awaitable<void> create_bucket(Call& call) {
    // An optional CreateBucketConfiguration names a region; a single node has one.
    const std::string body = co_await read_small_body(call, kMaxConfigBody);
    const std::string location = parse_create_bucket_location(body);
    if (!location.empty() && location != call.services.options.region) {
        throw S3Error(400, "InvalidLocationConstraint",
                      "The specified location constraint is not valid: this node serves region " +
                          call.services.options.region);
    }
    const std::string name = call.target.bucket;
    access::KeyRing& keys = call.services.keys;
    const std::string& creator = call.auth->access_key;
    const bool root = keys.is_root(creator);
    co_await engine::async_commit(call.services.objects.meta(), [&](meta::Catalog& catalog) {
        if (const auto existing = catalog.bucket(name); existing && !root &&
                                                        keys.permissions(creator, existing->id) == access::kNoPermissions) {
            throw S3Error(409, "BucketAlreadyExists",
                          "The requested bucket name is not available. Please select a different name and try again.");
        }
        const meta::BucketRecord created = catalog.create_bucket(name, now_ms());
        // A key that creates a bucket owns it, in the same commit.
        if (!root) access::KeyRing::grant_in(catalog, creator, created.id, access::kAllPermissions);
    });
    if (!root) keys.reload();
    // (Header lists are built before co_await: GCC 12 miscompiles initializer lists inside it.)
    std::vector<http::Header> headers{http::Header{"Location", "/" + name}};
    co_await call.respond_empty(200, std::move(headers));
}

asio::awaitable<void> head_bucket(Call& call) {
    existing_bucket(call);
    std::vector<http::Header> headers{http::Header{"x-amz-bucket-region", call.services.options.region}};
    co_await call.respond_empty(200, std::move(headers));
}

asio::awaitable<void> delete_bucket(Call& call) {
    const std::string name = call.target.bucket;
    const engine::CommitCheck admit = commit_check(call);
    co_await engine::async_commit(call.services.objects.meta(), [&](meta::Catalog& catalog) {
        const meta::BucketRecord bucket = catalog.bucket_or_refuse(name);
        admit(catalog, bucket);  // the bucket the owner grant was checked on, and the grant still held
        const std::uint64_t id = bucket.id;
        catalog.delete_bucket(name);
        // Grants die with their bucket: a new bucket of the same name gets a
        // new id, and nobody's old grant.
        access::KeyRing::forget_bucket_in(catalog, id);
    });
    call.services.keys.reload();
    co_await call.respond_empty(204);
}

asio::awaitable<void> get_bucket_location(Call& call) {
    existing_bucket(call);
    // us-east-1 is reported as an empty constraint, as S3 does.
    const std::string& region = call.services.options.region;
    std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    if (region != "us-east-1") append_xml_escaped(body, region);
    body += "</LocationConstraint>";
    co_await call.respond_xml(200, std::move(body));
}

asio::awaitable<void> get_bucket_versioning(Call& call) {
    const meta::BucketRecord bucket = existing_bucket(call);
    XmlWriter xml("VersioningConfiguration");
    if (bucket.versioning == meta::Versioning::enabled) xml.element("Status", "Enabled");
    if (bucket.versioning == meta::Versioning::suspended) xml.element("Status", "Suspended");
    co_await call.respond_xml(200, xml.finish());
}

asio::awaitable<void> put_bucket_versioning(Call& call) {
    const std::string body = co_await read_small_body(call, kMaxConfigBody);
    const meta::Versioning state = parse_versioning_configuration(body);
    const std::string name = call.target.bucket;
    const engine::CommitCheck admit = commit_check(call);
    co_await engine::async_commit(call.services.objects.meta(), [&](meta::Catalog& catalog) {
        admit(catalog, catalog.bucket_or_refuse(name));
        catalog.set_versioning(name, state);
    });
    co_await call.respond_empty(200);
}

}  // namespace shoal::s3
