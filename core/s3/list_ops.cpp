// Listing operations: ListObjects (v1), ListObjectsV2, ListObjectVersions.
//
// Each page is read in one metadata snapshot and written out as a whole
// document before the answer is sent: the snapshot (an LMDB read transaction)
// ends first. A client reading its answer slowly must hold no reader slot
// (LMDB has 512) and pin no old pages, which would make the map grow until
// writes fail for everyone.
#include <charconv>

#include "core/hash/encoding.hpp"
#include "core/s3/call.hpp"
#include "core/s3/error.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::size_t kMaxKeysLimit = 1000;

std::size_t max_keys(const Call& call) {
    const std::string* text = call.target.param("max-keys");
    if (text == nullptr) return kMaxKeysLimit;
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (text->empty() || ec != std::errc{} || end != text->data() + text->size()) {
        throw invalid_argument("Provided max-keys not an integer or within integer range");
    }
    return std::min(n, kMaxKeysLimit);
}

std::string param_or_empty(const Call& call, std::string_view name) {
    const std::string* v = call.target.param(name);
    return v ? *v : std::string();
}

// Applies encoding-type=url to names shown in a listing.
struct Encoder {
    bool url = false;
    std::string operator()(std::string_view s) const { return url ? percent_encode(s, true) : std::string(s); }
};

Encoder encoder_for(const Call& call) {
    const std::string* type = call.target.param("encoding-type");
    if (type != nullptr && *type != "url") throw invalid_argument("Invalid Encoding Method specified in Request");
    return Encoder{type != nullptr};
}

meta::BucketRecord bucket_of(const meta::Snapshot& snapshot, const Call& call) {
    return checked_bucket(call, snapshot.catalog());  // the bucket access was checked against
}

void owner(XmlWriter& xml, const Call& call) {
    xml.open("Owner")
        .element("ID", call.services.options.owner_id)
        .element("DisplayName", call.services.options.owner_id)
        .close();
}

// The ListObjects (v1) or ListObjectsV2 document.
std::string objects_document(const Call& call, bool v2) {
    const Encoder encode = encoder_for(call);
    meta::ListQuery query;
    query.prefix = param_or_empty(call, "prefix");
    query.delimiter = param_or_empty(call, "delimiter");
    query.max_keys = max_keys(call);
    std::string continuation;
    if (v2) {
        query.start_after = param_or_empty(call, "start-after");
        continuation = param_or_empty(call, "continuation-token");
        if (!continuation.empty()) {
            const auto decoded = hash::base64_decode(continuation);
            if (!decoded) throw invalid_argument("The continuation token provided is incorrect");
            query.start_after.assign(decoded->begin(), decoded->end());
        }
    } else {
        query.start_after = param_or_empty(call, "marker");
    }

    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const meta::BucketRecord bucket = bucket_of(snapshot, call);
    const meta::ListPage page = snapshot.catalog().list(bucket, query);

    XmlWriter xml("ListBucketResult");
    xml.element("Name", bucket.name).element("Prefix", encode(query.prefix));
    if (v2) {
        if (const std::string* start_after = call.target.param("start-after")) {
            xml.element("StartAfter", encode(*start_after));
        }
        if (!continuation.empty()) xml.element("ContinuationToken", continuation);
        xml.element("KeyCount", static_cast<std::uint64_t>(page.objects.size() + page.common_prefixes.size()));
    } else {
        xml.element("Marker", encode(query.start_after));
    }
    xml.element("MaxKeys", static_cast<std::uint64_t>(query.max_keys));
    if (!query.delimiter.empty()) xml.element("Delimiter", encode(query.delimiter));
    if (encode.url) xml.element("EncodingType", "url");
    xml.boolean("IsTruncated", page.truncated);
    if (page.truncated) {
        if (v2) {
            xml.element("NextContinuationToken", hash::base64_encode(page.last));
        } else if (!query.delimiter.empty()) {
            xml.element("NextMarker", encode(page.last));
        }
    }
    const bool with_owner = !v2 || param_or_empty(call, "fetch-owner") == "true";
    for (const meta::ListedObject& o : page.objects) {
        xml.open("Contents")
            .element("Key", encode(o.key))
            .element("LastModified", iso8601_ms(o.summary.modified_ms))
            .element("ETag", "\"" + o.summary.etag + "\"")
            .element("Size", o.summary.size)
            .element("StorageClass", o.summary.storage_class.empty() ? "STANDARD" : o.summary.storage_class);
        if (with_owner) owner(xml, call);
        xml.close();
    }
    for (const std::string& p : page.common_prefixes) xml.open("CommonPrefixes").element("Prefix", encode(p)).close();
    return xml.finish();
}

// The ListObjectVersions document.
std::string versions_document(const Call& call) {
    const Encoder encode = encoder_for(call);
    meta::VersionsQuery query;
    query.prefix = param_or_empty(call, "prefix");
    query.delimiter = param_or_empty(call, "delimiter");
    query.key_marker = param_or_empty(call, "key-marker");
    query.version_id_marker = param_or_empty(call, "version-id-marker");
    query.max_keys = max_keys(call);
    if (!query.version_id_marker.empty() && query.key_marker.empty()) {
        throw invalid_argument("A version-id marker cannot be specified without a key marker.");
    }

    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const meta::BucketRecord bucket = bucket_of(snapshot, call);
    const meta::VersionsPage page = snapshot.catalog().list_versions(bucket, query);

    XmlWriter xml("ListVersionsResult");
    xml.element("Name", bucket.name)
        .element("Prefix", encode(query.prefix))
        .element("KeyMarker", encode(query.key_marker))
        .element("VersionIdMarker", query.version_id_marker)
        .element("MaxKeys", static_cast<std::uint64_t>(query.max_keys));
    if (!query.delimiter.empty()) xml.element("Delimiter", encode(query.delimiter));
    if (encode.url) xml.element("EncodingType", "url");
    xml.boolean("IsTruncated", page.truncated);
    if (page.truncated) {
        xml.element("NextKeyMarker", encode(page.next_key_marker));
        if (!page.next_version_id_marker.empty()) xml.element("NextVersionIdMarker", page.next_version_id_marker);
    }
    for (const meta::ListedVersion& listed : page.versions) {
        const meta::ObjectVersion& v = listed.version;
        xml.open(v.delete_marker ? "DeleteMarker" : "Version")
            .element("Key", encode(v.key))
            .element("VersionId", v.version_id())
            .boolean("IsLatest", listed.latest)
            .element("LastModified", iso8601_ms(v.modified_ms));
        if (!v.delete_marker) {
            xml.element("ETag", "\"" + v.etag + "\"")
                .element("Size", v.size)
                .element("StorageClass", v.storage_class.empty() ? "STANDARD" : v.storage_class);
        }
        owner(xml, call);
        xml.close();
    }
    for (const std::string& p : page.common_prefixes) xml.open("CommonPrefixes").element("Prefix", encode(p)).close();
    return xml.finish();
}

}  // namespace

asio::awaitable<void> list_objects(Call& call, bool v2) {
    std::string document = objects_document(call, v2);  // its snapshot has ended
    co_await call.respond_xml(200, std::move(document));
}

asio::awaitable<void> list_object_versions(Call& call) {
    std::string document = versions_document(call);  // its snapshot has ended
    co_await call.respond_xml(200, std::move(document));
}

}  // namespace shoal::s3
