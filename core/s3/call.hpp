// What every S3 operation gets: the exchange, the addressed target, the
// services it may use, and helpers to answer. Internal to s3/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/access/permission.hpp"
#include "core/auth/sigv4_verifier.hpp"
#include "core/engine/object_store.hpp"
#include "core/http/exchange.hpp"
#include "core/log/logger.hpp"
#include "core/s3/error.hpp"
#include "core/s3/internal_failures.hpp"
#include "core/s3/target.hpp"

namespace shoal::engine {
class Maintenance;
}  // namespace shoal::engine
namespace shoal::access {
class KeyRing;
}  // namespace shoal::access

namespace shoal::s3 {

struct ApiOptions {
    std::vector<std::string> domains;  // for virtual-hosted-style addressing
    std::string region = "us-east-1";
    std::string owner_id = "shoal";    // the owner shown in listings (the node)
    std::uint64_t min_part_size = 5u << 20;  // multipart parts but the last (S3: 5 MiB)
    // A copy still working after this long answers 200 at once and sends a
    // space this often until its result (slow_answer.hpp).
    std::chrono::milliseconds keepalive_interval{5000};
};

struct Services {
    engine::ObjectStore& objects;
    const ApiOptions& options;
    log::Logger& log;
    access::KeyRing& keys;  // root and the access keys, with their grants
    engine::Maintenance* maintenance = nullptr;  // scrub and rebuild status, for the admin endpoints
    InternalFailures* failures = nullptr;        // recent 5xx details, for root (failure.hpp)
};

// What check_access resolved and decided (access_check.hpp), for the
// operation to hold on to: reads and commits work on this bucket, not on
// whatever bears its name later.
struct Access {
    // The addressed bucket's id when access was checked (meta::BucketRecord::id,
    // never reused); none when no bucket of that name existed then, or the
    // operation addresses none.
    std::optional<std::uint64_t> bucket_id;
    // The grant a key other than root needed on it; none for root.
    std::optional<access::Permission> permission;
};

struct Call {
    http::Exchange& exchange;
    Target target;
    std::string request_id;
    Services& services;
    std::optional<auth::Authenticated> auth;  // set once the request's signature checked out; none: anonymous
    Access access;  // set by check_access()

    const http::Request& request() const { return exchange.request(); }
    const std::string* header(std::string_view name) const { return exchange.request().header(name); }

    // Headers every S3 response carries.
    std::vector<http::Header> base_headers() const;

    // The whole answer for `error` (an S3Error as failure_of() makes it): its
    // XML document naming the resource and the request id, the base headers;
    // no body for HEAD.
    http::Response error_answer(const S3Error& error) const;

    asio::awaitable<void> respond_xml(int status, std::string body, std::vector<http::Header> extra = {});
    asio::awaitable<void> respond_empty(int status, std::vector<http::Header> extra = {});
};

// Reads a small request body (XML documents) whole, refusing more than `limit`
// bytes; checks its Content-MD5 if sent (InvalidDigest, BadDigest).
asio::awaitable<std::string> read_small_body(Call& call, std::size_t limit);

// The stored headers, tags and storage class of a new object, from its request.
engine::PutInput put_input_from_request(Call& call);

// The first check of a write's conditions, on arrival (write_conditions.hpp),
// before any body byte is stored: throws PreconditionFailed or NoSuchKey, and
// NoSuchBucket if the addressed bucket is no longer the one access was
// checked against, conditions or not.
class WriteConditions;
void check_conditions_on_arrival(const Call& call, const WriteConditions& conditions);

// A version found in metadata, and the read lease that keeps its chunks on
// disk while the Located lives (taken before the metadata was read).
struct Located {
    engine::ReadLeases::Lease lease;
    meta::BucketRecord bucket;
    meta::ObjectVersion version;
};

// An object version as addressed by bucket, key and an optional versionId
// (as S3 sends it), read from one snapshot; delete markers included. The
// bucket must be the one whose id access was checked against (`bucket_id`).
// Throws NoSuchBucket, NoSuchKey, NoSuchVersion, or InvalidArgument for an
// id this store never issues.
Located locate_version(engine::ObjectStore& objects, const std::string& bucket, const std::string& key,
                       const std::string* version_id, std::optional<std::uint64_t> bucket_id);

// The addressed bucket as `catalog` holds it, if it is still the one access
// was checked against (Call::access); else NoSuchBucket (it was deleted
// meanwhile, and the name perhaps taken again).
meta::BucketRecord checked_bucket(const Call& call, const meta::Catalog& catalog);

// The x-amz-version-id a response names `v` by ("" when none: a null version
// in a bucket that never had versioning).
std::string version_header_value(const meta::BucketRecord& bucket, const meta::ObjectVersion& v);

// The uploadId and partNumber parameters of a multipart request; throw
// InvalidArgument when missing or out of range (1 to 10000).
const std::string& upload_id_of(const Call& call);
std::uint32_t part_number_of(const std::string* text);

// Checks of Content-MD5 and x-amz-checksum-* against the content's digests;
// sets `algorithm` to the additional checksum to compute.
class BodySource;
std::function<void(const engine::ContentDigests::Result&)> digest_verifier(Call& call,
                                                                          engine::ChecksumAlgorithm& algorithm,
                                                                          const BodySource& body);

// Operations, one family per file.
// GET /_shoal/drives and whatever node administration comes (admin_ops.cpp).
constexpr std::string_view kAdminPath = "_shoal";
asio::awaitable<void> admin(Call& call);
// /_shoal/keys...: access keys and their grants (key_admin_ops.cpp).
asio::awaitable<void> admin_keys(Call& call);

asio::awaitable<void> list_buckets(Call& call);
asio::awaitable<void> create_bucket(Call& call);
asio::awaitable<void> head_bucket(Call& call);
asio::awaitable<void> delete_bucket(Call& call);
asio::awaitable<void> get_bucket_location(Call& call);
asio::awaitable<void> get_bucket_versioning(Call& call);
asio::awaitable<void> put_bucket_versioning(Call& call);

asio::awaitable<void> put_object(Call& call);
asio::awaitable<void> get_object(Call& call, bool head);
asio::awaitable<void> delete_object(Call& call);
asio::awaitable<void> delete_objects(Call& call);

asio::awaitable<void> copy_object(Call& call);
asio::awaitable<void> upload_part_copy(Call& call);

asio::awaitable<void> get_object_tagging(Call& call);
asio::awaitable<void> put_object_tagging(Call& call);
asio::awaitable<void> delete_object_tagging(Call& call);

asio::awaitable<void> create_multipart_upload(Call& call);
asio::awaitable<void> upload_part(Call& call);
asio::awaitable<void> complete_multipart_upload(Call& call);
asio::awaitable<void> abort_multipart_upload(Call& call);
asio::awaitable<void> list_parts(Call& call);
asio::awaitable<void> list_multipart_uploads(Call& call);

asio::awaitable<void> list_objects(Call& call, bool v2);
asio::awaitable<void> list_object_versions(Call& call);

}  // namespace shoal::s3
