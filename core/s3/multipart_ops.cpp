// Multipart uploads: Create, UploadPart, Complete, Abort, ListParts,
// ListMultipartUploads.
#include <charconv>

#include "core/engine/byte_source.hpp"
#include "core/s3/access_check.hpp"
#include "core/s3/body_source.hpp"
#include "core/s3/call.hpp"
#include "core/s3/complete_multipart_request.hpp"
#include "core/s3/error.hpp"
#include "core/s3/write_conditions.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::size_t kMaxCompleteBody = 4 * 1024 * 1024;  // 10,000 parts fit easily
// A CompleteMultipartUpload retried after it succeeded finds its result among
// this many of the key's newest versions (meta::Catalog::version_from_upload).
constexpr std::size_t kCompletedSearch = 100;

std::optional<std::uint64_t> parse_number(const std::string& text) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return n;
}

void owner(XmlWriter& xml, const Call& call, const char* element) {
    xml.open(element)
        .element("ID", call.services.options.owner_id)
        .element("DisplayName", call.services.options.owner_id)
        .close();
}

meta::Refused no_such_upload(const std::string& upload_id) {
    return meta::Refused(meta::Refusal::no_such_upload, "no such upload: " + upload_id);
}

// The parts a completed version was made of are the ones a request lists.
bool same_parts(const meta::ObjectVersion& version, const std::vector<engine::CompletedPart>& parts) {
    if (version.parts.size() != parts.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (version.parts[i].number != parts[i].number || version.parts[i].etag != parts[i].etag) return false;
    }
    return true;
}

// The version an upload already completed with the same parts became, if it
// is still there: what an identical CompleteMultipartUpload, retried after it
// succeeded, answers again (as AWS does), instead of NoSuchUpload.
std::optional<meta::ObjectVersion> completed_by(const Call& call, const std::string& upload_id,
                                                const std::vector<engine::CompletedPart>& parts) {
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const meta::BucketRecord bucket = checked_bucket(call, snapshot.catalog());
    std::optional<meta::ObjectVersion> version =
        snapshot.catalog().version_from_upload(bucket, call.target.key, upload_id, kCompletedSearch);
    if (!version || !same_parts(*version, parts)) return std::nullopt;
    return version;
}

// Whether the upload is in progress in the addressed bucket, now.
bool upload_in_progress(const Call& call, const meta::Catalog& catalog, const meta::BucketRecord& bucket,
                        const std::string& upload_id) {
    try {
        catalog.upload_or_refuse(bucket, call.target.key, upload_id);
        return true;
    } catch (const meta::Refused&) {
        return false;
    }
}

// The ListParts document, read in a snapshot that ends before the answer
// is sent (a slow reader must not pin LMDB's pages: list_ops.cpp).
std::string parts_document(const Call& call) {
    const std::string upload_id = upload_id_of(call);
    std::uint32_t marker = 0;
    if (const std::string* text = call.target.param("part-number-marker")) {
        const auto n = parse_number(*text);
        if (!n || *n > kMaxParts) throw invalid_argument("Invalid part-number-marker");
        marker = static_cast<std::uint32_t>(*n);
    }
    std::size_t max_parts = 1000;
    if (const std::string* text = call.target.param("max-parts")) {
        const auto n = parse_number(*text);
        if (!n) throw invalid_argument("Provided max-parts not an integer or within integer range");
        max_parts = static_cast<std::size_t>(std::min<std::uint64_t>(*n, 1000));
    }
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const meta::UploadRecord upload =
        snapshot.catalog().upload_or_refuse(checked_bucket(call, snapshot.catalog()), call.target.key, upload_id);
    const meta::PartsPage page = snapshot.catalog().parts(upload_id, marker, max_parts);

    XmlWriter xml("ListPartsResult");
    xml.element("Bucket", call.target.bucket).element("Key", call.target.key).element("UploadId", upload_id);
    owner(xml, call, "Initiator");
    owner(xml, call, "Owner");
    xml.element("StorageClass", upload.storage_class.empty() ? "STANDARD" : upload.storage_class)
        .element("PartNumberMarker", static_cast<std::uint64_t>(marker))
        .element("NextPartNumberMarker", static_cast<std::uint64_t>(page.next_marker))
        .element("MaxParts", static_cast<std::uint64_t>(max_parts))
        .boolean("IsTruncated", page.truncated);
    if (!upload.checksum_algorithm.empty()) xml.element("ChecksumAlgorithm", upload.checksum_algorithm);
    for (const meta::PartRecord& part : page.parts) {
        xml.open("Part")
            .element("PartNumber", static_cast<std::uint64_t>(part.number))
            .element("LastModified", iso8601_ms(part.modified_ms))
            .element("ETag", "\"" + part.etag + "\"")
            .element("Size", part.size);
        if (!part.checksum.empty() && !upload.checksum_algorithm.empty()) {
            xml.element("Checksum" + upload.checksum_algorithm, part.checksum);
        }
        xml.close();
    }
    return xml.finish();
}

// The ListMultipartUploads document, likewise.
std::string uploads_document(const Call& call) {
    meta::UploadsQuery query;
    if (const std::string* v = call.target.param("prefix")) query.prefix = *v;
    if (const std::string* v = call.target.param("delimiter")) query.delimiter = *v;
    if (const std::string* v = call.target.param("key-marker")) query.key_marker = *v;
    if (const std::string* v = call.target.param("upload-id-marker")) query.upload_id_marker = *v;
    if (const std::string* text = call.target.param("max-uploads")) {
        const auto n = parse_number(*text);
        if (!n) throw invalid_argument("Provided max-uploads not an integer or within integer range");
        query.max_uploads = static_cast<std::size_t>(std::min<std::uint64_t>(*n, 1000));
    }
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const meta::BucketRecord bucket = checked_bucket(call, snapshot.catalog());
    const meta::UploadsPage page = snapshot.catalog().list_uploads(bucket, query);

    XmlWriter xml("ListMultipartUploadsResult");
    xml.element("Bucket", bucket.name)
        .element("KeyMarker", query.key_marker)
        .element("UploadIdMarker", query.upload_id_marker)
        .element("NextKeyMarker", page.next_key_marker)
        .element("NextUploadIdMarker", page.next_upload_id_marker)
        .element("Prefix", query.prefix);
    if (!query.delimiter.empty()) xml.element("Delimiter", query.delimiter);
    xml.element("MaxUploads", static_cast<std::uint64_t>(query.max_uploads)).boolean("IsTruncated", page.truncated);
    for (const meta::UploadRecord& upload : page.uploads) {
        xml.open("Upload").element("Key", upload.key).element("UploadId", upload.upload_id);
        owner(xml, call, "Initiator");
        owner(xml, call, "Owner");
        xml.element("StorageClass", upload.storage_class.empty() ? "STANDARD" : upload.storage_class)
            .element("Initiated", iso8601_ms(upload.initiated_ms))
            .close();
    }
    for (const std::string& p : page.common_prefixes) xml.open("CommonPrefixes").element("Prefix", p).close();
    return xml.finish();
}

}  // namespace

std::uint32_t part_number_of(const std::string* text) {
    const auto n = text ? parse_number(*text) : std::nullopt;
    if (!n || *n < 1 || *n > kMaxParts) {
        throw invalid_argument("Part number must be an integer between 1 and 10000, inclusive");
    }
    return static_cast<std::uint32_t>(*n);
}

const std::string& upload_id_of(const Call& call) {
    const std::string* id = call.target.param("uploadId");
    if (id == nullptr || id->empty()) throw invalid_argument("uploadId is required");
    return *id;
}

asio::awaitable<void> create_multipart_upload(Call& call) {
    engine::PutInput input = put_input_from_request(call);
    if (const std::string* named = call.header("x-amz-checksum-algorithm")) {
        const auto algorithm = engine::parse_checksum_algorithm(*named);
        if (!algorithm) throw invalid_request("Value for x-amz-checksum-algorithm header is invalid.");
        input.checksum = *algorithm;
    }
    input.check = commit_check(call);
    const std::string upload_id = co_await call.services.objects.create_upload(input);
    XmlWriter xml("InitiateMultipartUploadResult");
    xml.element("Bucket", call.target.bucket).element("Key", call.target.key).element("UploadId", upload_id);
    co_await call.respond_xml(200, xml.finish());
}

asio::awaitable<void> upload_part(Call& call) {
    const std::uint32_t number = part_number_of(call.target.param("partNumber"));
    const std::string upload_id = upload_id_of(call);
    if (call.request().framing == http::BodyFraming::none && call.header("Content-Length") == nullptr) {
        throw S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    }
    engine::ChecksumAlgorithm algorithm = engine::ChecksumAlgorithm::none;
    BodySource source(call.exchange, call.auth ? &*call.auth : nullptr);
    auto verify = digest_verifier(call, algorithm, source);
    const meta::PartRecord part = co_await call.services.objects.put_part(
        call.target.bucket, call.target.key, upload_id, number, algorithm, std::move(verify), source,
        commit_check(call));
    std::vector<http::Header> headers{http::Header{"ETag", "\"" + part.etag + "\""}};
    if (algorithm != engine::ChecksumAlgorithm::none) {
        headers.push_back(http::Header{std::string(engine::checksum_header(algorithm)), part.checksum});
    }
    co_await call.respond_empty(200, std::move(headers));
}

asio::awaitable<void> complete_multipart_upload(Call& call) {
    const std::string upload_id = upload_id_of(call);
    const std::string key = call.target.key;
    const WriteConditions conditions(call.header("If-Match"), call.header("If-None-Match"));
    // On arrival, before the body: the upload, and the conditions (412 now).
    bool in_progress = false;
    {
        const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
        const meta::BucketRecord bucket = checked_bucket(call, snapshot.catalog());
        in_progress = upload_in_progress(call, snapshot.catalog(), bucket, upload_id);
        if (in_progress) conditions.check_on_arrival(snapshot.catalog().newest(bucket, key), key);
    }
    const std::string body = co_await read_small_body(call, kMaxCompleteBody);
    std::vector<engine::CompletedPart> parts = parse_complete_multipart_upload(body);

    std::optional<meta::ObjectVersion> version;
    if (in_progress) {
        // At the commit: access, the conditions again (409 if another write
        // broke them meanwhile), then the parts.
        const std::uint64_t min_part_size = call.services.options.min_part_size;
        auto check = [admit = commit_check(call, conditions.at_commit(key)), wanted = parts, min_part_size](
                         const meta::Catalog& catalog, const meta::BucketRecord& bucket,
                         const std::vector<meta::PartRecord>& listed) {
            admit(catalog, bucket);
            for (std::size_t i = 0; i < listed.size(); ++i) {
                if (listed[i].number == 0 || listed[i].etag != wanted[i].etag) {
                    throw S3Error(400, "InvalidPart",
                                  "One or more of the specified parts could not be found. The part may not have been "
                                  "uploaded, or the specified entity tag may not match the part's entity tag.");
                }
                if (i + 1 < listed.size() && listed[i].size < min_part_size) {
                    throw S3Error(400, "EntityTooSmall",
                                  "Your proposed upload is smaller than the minimum allowed object size: part " +
                                      std::to_string(listed[i].number) + " has " + std::to_string(listed[i].size) +
                                      " bytes, parts but the last need " + std::to_string(min_part_size));
                }
            }
        };
        try {
            version = co_await call.services.objects.complete_upload(call.target.bucket, key, upload_id, parts,
                                                                     std::move(check));
        } catch (const meta::Refused& e) {
            if (e.why() != meta::Refusal::no_such_upload) throw;
            // Completed (or aborted) by another request meanwhile: below.
        }
    }
    if (!version) {
        version = completed_by(call, upload_id, parts);  // a retry, or an identical request that won
        if (!version && in_progress && !conditions.empty()) {
            // AWS's answer to a conditional Complete whose upload went away
            // under it: start a new upload.
            throw S3Error(409, "ConditionalRequestConflict",
                          "A conflicting operation occurred: the multipart upload was completed or aborted while "
                          "this request was in progress. Initiate a new multipart upload and retry.");
        }
        if (!version) throw no_such_upload(upload_id);
    }

    XmlWriter xml("CompleteMultipartUploadResult");
    xml.element("Location", "/" + call.target.bucket + "/" + key)
        .element("Bucket", call.target.bucket)
        .element("Key", key)
        .element("ETag", "\"" + version->etag + "\"");
    std::vector<http::Header> headers;
    if (!version->null_version) headers.push_back(http::Header{"x-amz-version-id", version->version_id()});
    co_await call.respond_xml(200, xml.finish(), std::move(headers));
}

asio::awaitable<void> abort_multipart_upload(Call& call) {
    co_await call.services.objects.abort_upload(call.target.bucket, call.target.key, upload_id_of(call),
                                                commit_check(call));
    co_await call.respond_empty(204);
}

asio::awaitable<void> list_parts(Call& call) {
    std::string document = parts_document(call);
    co_await call.respond_xml(200, std::move(document));
}

asio::awaitable<void> list_multipart_uploads(Call& call) {
    std::string document = uploads_document(call);
    co_await call.respond_xml(200, std::move(document));
}

}  // namespace shoal::s3
