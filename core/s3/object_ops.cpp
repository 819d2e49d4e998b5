// Object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects.
#include <algorithm>
#include <memory>

#include "core/ec/storage_policy.hpp"
#include "core/engine/byte_source.hpp"
#include "core/hash/encoding.hpp"
#include "core/s3/access_check.hpp"
#include "core/s3/body_source.hpp"
#include "core/s3/call.hpp"
#include "core/s3/conditions.hpp"
#include "core/s3/delete_objects_request.hpp"
#include "core/s3/error.hpp"
#include "core/s3/errors.hpp"
#include "core/s3/failure.hpp"
#include "core/s3/names.hpp"
#include "core/s3/range.hpp"
#include "core/s3/tagging.hpp"
#include "core/s3/write_conditions.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::size_t kMaxUserMetadata = 2048;  // bytes of x-amz-meta-* names and values (S3's limit)
constexpr std::size_t kGetBuffer = 256 * 1024;
constexpr std::size_t kMaxDeleteBody = 2 * 1024 * 1024;

// The stored response headers of an object, from its PUT request.
constexpr std::string_view kStoredHeaders[] = {"Content-Type",     "Content-Encoding", "Content-Disposition",
                                               "Content-Language", "Cache-Control",    "Expires"};

constexpr std::string_view kStorageClasses[] = {"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                                "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR",
                                                "OUTPOSTS", "EXPRESS_ONEZONE"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && lower(s.substr(0, prefix.size())) == prefix;
}

std::string quote_etag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

// The bytes of part `number` of a multipart object, by the part numbers its
// record keeps; an object not uploaded in parts is its own part 1 (as S3).
ByteRange part_range(const meta::ObjectVersion& v, std::uint32_t number) {
    const auto unsatisfiable = [] {
        return S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable");
    };
    if (v.parts.empty()) {
        if (number != 1) throw unsatisfiable();
        return ByteRange{0, v.size};
    }
    std::uint64_t offset = 0;
    for (const meta::PartInfo& part : v.parts) {
        if (part.number == number) return ByteRange{offset, part.size};
        offset += part.size;
    }
    throw unsatisfiable();
}

}  // namespace

Located locate_version(engine::ObjectStore& objects, const std::string& bucket_name, const std::string& key,
                       const std::string* version_id, std::optional<std::uint64_t> bucket_id) {
    engine::ReadLeases::Lease lease = objects.lease_reads();  // before the metadata is read
    const meta::Snapshot snapshot = objects.meta().snapshot();
    auto bucket = snapshot.catalog().bucket(bucket_name);
    if (!bucket || !bucket_id || bucket->id != *bucket_id) throw no_such_bucket(bucket_name);
    std::optional<meta::ObjectVersion> version;
    if (version_id != nullptr) {
        std::uint64_t seq = 0;
        if (*version_id != "null" && !meta::parse_version_id(*version_id, seq)) {
            throw invalid_argument("Invalid version id specified");
        }
        version = snapshot.catalog().version(*bucket, key, *version_id);
        if (!version) throw S3Error(404, "NoSuchVersion", "The specified version does not exist.");
    } else {
        version = snapshot.catalog().newest(*bucket, key);
        if (!version) throw no_such_key(key);
    }
    return Located{std::move(lease), std::move(*bucket), std::move(*version)};
}

std::string version_header_value(const meta::BucketRecord& bucket, const meta::ObjectVersion& v) {
    if (bucket.versioning == meta::Versioning::unversioned && v.null_version) return {};
    return v.version_id();
}

std::function<void(const engine::ContentDigests::Result&)> digest_verifier(Call& call,
                                                                          engine::ChecksumAlgorithm& algorithm,
                                                                          const BodySource& body) {
    // Content-MD5 and additional checksums are verified before the commit.
    std::optional<std::string> expected_md5;
    if (const std::string* md5 = call.header("Content-MD5")) {
        const auto decoded = hash::base64_decode(*md5);
        if (!decoded || decoded->size() != 16) {
            throw S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
        }
        expected_md5 = std::string(decoded->begin(), decoded->end());
    }
    std::optional<std::string> expected_checksum;
    for (const char* name : {"CRC32", "CRC32C", "SHA1", "SHA256"}) {
        const auto candidate = engine::parse_checksum_algorithm(name);
        if (const std::string* value = call.header(engine::checksum_header(*candidate))) {
            if (expected_checksum) throw invalid_request("Expecting a single x-amz-checksum- header");
            algorithm = *candidate;
            expected_checksum = *value;
        }
    }
    // A checksum sent in the aws-chunked trailer ("x-amz-trailer: x-amz-checksum-crc32").
    std::string trailer_name;
    if (const std::string* declared = call.header("x-amz-trailer"); declared != nullptr && !expected_checksum) {
        const std::string name = lower(*declared);
        if (name.rfind("x-amz-checksum-", 0) == 0) {
            const auto parsed = engine::parse_checksum_algorithm(name.substr(15));
            if (!parsed) throw invalid_request("Value for x-amz-trailer header is invalid.");
            algorithm = *parsed;
            trailer_name = name;
        }
    }
    if (!expected_checksum && trailer_name.empty()) {
        const std::string* named = call.header("x-amz-sdk-checksum-algorithm");
        if (named == nullptr) named = call.header("x-amz-checksum-algorithm");
        if (named != nullptr) {
            const auto parsed = engine::parse_checksum_algorithm(*named);
            if (!parsed) throw invalid_request("Value for x-amz-checksum-algorithm header is invalid.");
            algorithm = *parsed;  // computed and stored; the value may come in a trailer
        }
    }
    return [expected_md5, expected_checksum, trailer_name, &body](const engine::ContentDigests::Result& digests) {
        if (expected_md5 && *expected_md5 != digests.md5) {
            throw S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        }
        std::optional<std::string> expected = expected_checksum;
        if (!trailer_name.empty()) {
            const std::string* sent = body.trailer(trailer_name);
            if (sent == nullptr) throw invalid_request("The trailer " + trailer_name + " was declared but not sent.");
            expected = *sent;
        }
        if (expected && *expected != digests.checksum) {
            throw S3Error(400, "BadDigest",
                          "The " + std::string(engine::checksum_name(digests.algorithm)) +
                              " you specified did not match the calculated checksum.");
        }
    };

}

void check_conditions_on_arrival(const Call& call, const WriteConditions& conditions) {
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const meta::BucketRecord bucket = checked_bucket(call, snapshot.catalog());
    if (!conditions.empty()) conditions.check_on_arrival(snapshot.catalog().newest(bucket, call.target.key), call.target.key);
}

engine::PutInput put_input_from_request(Call& call) {
    const http::Request& request = call.request();
    engine::PutInput input;
    input.bucket = call.target.bucket;
    input.key = call.target.key;

    std::size_t user_metadata = 0;
    for (const http::Header& h : request.headers) {
        for (std::string_view stored : kStoredHeaders) {
            if (http::iequals(h.name, stored)) input.headers.emplace_back(std::string(stored), h.value);
        }
        if (starts_with_ci(h.name, "x-amz-meta-")) {
            user_metadata += h.name.size() - 11 + h.value.size();
            input.headers.emplace_back(lower(h.name), h.value);
        }
    }
    if (user_metadata > kMaxUserMetadata) {
        throw S3Error(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.");
    }
    if (const std::string* storage_class = call.header("x-amz-storage-class")) {
        // AWS's class names, or the name of a storage policy (THREECOPIES, ...):
        // the engine decides whether this node can honour it.
        if (std::find(std::begin(kStorageClasses), std::end(kStorageClasses), *storage_class) ==
                std::end(kStorageClasses) &&
            !ec::StoragePolicy::parse(*storage_class)) {
            throw S3Error(400, "InvalidStorageClass", "The storage class you specified is not valid");
        }
        input.storage_class = *storage_class;
    }
    if (const std::string* tagging = call.header("x-amz-tagging")) input.tags = parse_tagging_header(*tagging);

    return input;
}

asio::awaitable<void> put_object(Call& call) {
    const http::Request& request = call.request();
    if (request.framing == http::BodyFraming::none && request.header("Content-Length") == nullptr) {
        throw S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    }

    engine::PutInput input = put_input_from_request(call);
    // The content's size, when the request says it before the body (for a
    // size-based storage policy).
    const bool streaming = call.auth && call.auth->payload_mode != auth::PayloadMode::sha256 &&
                           call.auth->payload_mode != auth::PayloadMode::unsigned_payload;
    if (streaming) {
        input.expected_size = call.auth->decoded_content_length;
    } else if (request.framing == http::BodyFraming::content_length) {
        input.expected_size = request.content_length;
    }

    BodySource source(call.exchange, call.auth ? &*call.auth : nullptr);
    input.verify = digest_verifier(call, input.checksum, source);

    const WriteConditions conditions(call.header("If-Match"), call.header("If-None-Match"));
    check_conditions_on_arrival(call, conditions);
    input.check = commit_check(call, conditions.at_commit(call.target.key));

    const meta::ObjectVersion version = co_await call.services.objects.put(std::move(input), source);

    std::vector<http::Header> headers{http::Header{"ETag", quote_etag(version.etag)}};
    if (!version.null_version) headers.push_back(http::Header{"x-amz-version-id", version.version_id()});
    if (!version.checksum_algorithm.empty()) {
        const auto algorithm = engine::parse_checksum_algorithm(version.checksum_algorithm);
        headers.push_back(http::Header{std::string(engine::checksum_header(*algorithm)), version.checksum});
    }
    co_await call.respond_empty(200, std::move(headers));
}

asio::awaitable<void> get_object(Call& call, bool head) {
    Located located = locate_version(call.services.objects, call.target.bucket, call.target.key,
                                     call.target.param("versionId"), call.access.bucket_id);
    const meta::ObjectVersion& v = located.version;
    const std::string version_header = version_header_value(located.bucket, v);
    // The lease keeps chunks for the body only: answers without one (errors,
    // 304, HEAD) end it first, so that a client slow to read them keeps no
    // deleted chunk on disk.
    if (v.delete_marker) {
        located.lease.end();
        // An anonymous reader of a public-read bucket learns nothing of
        // deleted objects: no marker, no version id, the answer a key that
        // never existed gets.
        if (!call.auth) throw no_such_key(call.target.key);
        std::vector<http::Header> headers{http::Header{"x-amz-delete-marker", "true"}};
        if (!version_header.empty()) headers.push_back(http::Header{"x-amz-version-id", version_header});
        const bool addressed = call.target.has("versionId");
        S3Error error = addressed ? S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
                                  : no_such_key(call.target.key);
        http::Response response = call.error_answer(error);
        for (http::Header& h : headers) response.headers.push_back(std::move(h));
        co_await call.exchange.respond(response);
        co_return;
    }

    // Conditional requests (RFC 9110 section 13.2.2 order, as S3 applies it).
    const Preconditions conditions{call.header("If-Match"), call.header("If-None-Match"),
                                   call.header("If-Modified-Since"), call.header("If-Unmodified-Since")};
    std::vector<http::Header> headers = {http::Header{"ETag", quote_etag(v.etag)},
                                         http::Header{"Last-Modified", http_date_ms(v.modified_ms)}};
    if (!version_header.empty()) headers.push_back(http::Header{"x-amz-version-id", version_header});
    const PreconditionOutcome outcome = evaluate_preconditions(conditions, v.etag, v.modified_ms);
    if (outcome != PreconditionOutcome::proceed) located.lease.end();
    if (outcome == PreconditionOutcome::failed) {
        throw S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    }
    if (outcome == PreconditionOutcome::not_modified) {
        co_await call.respond_empty(304, std::move(headers));
        co_return;
    }

    std::optional<ByteRange> range;
    bool unsatisfiable = false;
    if (const std::string* part_text = call.target.param("partNumber")) {
        if (call.header("Range") != nullptr) {
            throw invalid_request("Cannot specify both Range header and partNumber query parameter");
        }
        range = part_range(v, part_number_of(part_text));
        if (!v.parts.empty()) headers.push_back(http::Header{"x-amz-mp-parts-count", std::to_string(v.parts.size())});
    } else {
        try {
            range = parse_range(call.header("Range"), v.size);
        } catch (const S3Error&) {
            unsatisfiable = true;
        }
    }
    if (unsatisfiable) {
        located.lease.end();
        http::Response response =
            call.error_answer(S3Error(416, "InvalidRange", "The requested range is not satisfiable"));
        response.set("Content-Range", "bytes */" + std::to_string(v.size));
        co_await call.exchange.respond(response);
        co_return;
    }

    bool has_content_type = false;
    for (const auto& [name, value] : v.headers) {
        has_content_type = has_content_type || name == "Content-Type";
        headers.push_back(http::Header{name, value});
    }
    if (!has_content_type) headers.push_back(http::Header{"Content-Type", "binary/octet-stream"});
    headers.push_back(http::Header{"Accept-Ranges", "bytes"});
    if (v.storage_class != "STANDARD" && !v.storage_class.empty()) {
        headers.push_back(http::Header{"x-amz-storage-class", v.storage_class});
    }
    if (!v.tags.empty()) headers.push_back(http::Header{"x-amz-tagging-count", std::to_string(v.tags.size())});
    const std::string* checksum_mode = call.header("x-amz-checksum-mode");
    if (checksum_mode != nullptr && http::iequals(*checksum_mode, "ENABLED") && !range && !v.checksum.empty()) {
        const auto algorithm = engine::parse_checksum_algorithm(v.checksum_algorithm);
        if (algorithm) headers.push_back(http::Header{std::string(engine::checksum_header(*algorithm)), v.checksum});
    }
    // response-* query parameters override the stored headers (GET only, as S3).
    if (!head) {
        constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
            {"response-content-type", "Content-Type"},         {"response-content-language", "Content-Language"},
            {"response-expires", "Expires"},                   {"response-cache-control", "Cache-Control"},
            {"response-content-disposition", "Content-Disposition"},
            {"response-content-encoding", "Content-Encoding"}};
        for (const auto& [param, header] : kOverrides) {
            const std::string* value = call.target.param(param);
            if (value == nullptr) continue;
            std::erase_if(headers, [name = header](const http::Header& h) { return http::iequals(h.name, name); });
            headers.push_back(http::Header{std::string(header), *value});
        }
    }

    const std::uint64_t first = range ? range->first : 0;
    const std::uint64_t length = range ? range->length : v.size;
    int status = 200;
    if (range && length > 0) {  // (an empty part has no byte range to name)
        status = 206;
        headers.push_back(http::Header{"Content-Range", "bytes " + std::to_string(first) + "-" +
                                                            std::to_string(first + length - 1) + "/" +
                                                            std::to_string(v.size)});
    }
    std::vector<http::Header> all = call.base_headers();
    all.insert(all.end(), headers.begin(), headers.end());
    // The lease ends once the last chunk byte is read, before it is sent: a
    // client that has the whole body and then deletes the object finds no
    // reader in the way, so its DELETE frees the chunks before it answers.
    if (head || length == 0) {
        located.lease.end();
        co_await call.exchange.begin(status, all, length);
        co_await call.exchange.finish();
        co_return;
    }
    auto reader = call.services.objects.open(v, located.bucket.name);
    // Not zero-filled: every byte sent was read (and checked) first.
    const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(kGetBuffer, length));
    const auto buffer = std::make_unique_for_overwrite<char[]>(size);
    std::uint64_t done = 0;
    // The first bytes are read before the head is sent: when no copy of them
    // can be read, the client gets an S3 error naming the object and the
    // drive, not a 200 cut short.
    bool started = false;
    while (done < length) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, length - done));
        const std::size_t n = co_await reader->read(first + done, std::span<char>(buffer.get(), want));
        if (n == 0) throw http::ConnectionLost("object " + v.key + " ended early");
        if (done + n == length) located.lease.end();
        if (!started) {
            co_await call.exchange.begin(status, all, length);
            started = true;
        }
        co_await call.exchange.write(std::span<const char>(buffer.get(), n));
        done += n;
    }
    co_await call.exchange.finish();
}

asio::awaitable<void> delete_object(Call& call) {
    std::optional<std::string> version_id;
    if (const std::string* v = call.target.param("versionId")) {
        std::uint64_t seq = 0;
        if (*v != "null" && !meta::parse_version_id(*v, seq)) throw invalid_argument("Invalid version id specified");
        version_id = *v;
    }
    const engine::DeleteOutcome outcome =
        co_await call.services.objects.remove(call.target.bucket, call.target.key, version_id, commit_check(call));
    std::vector<http::Header> headers;
    if (outcome.delete_marker) headers.push_back(http::Header{"x-amz-delete-marker", "true"});
    if (!outcome.version_id.empty()) headers.push_back(http::Header{"x-amz-version-id", outcome.version_id});
    co_await call.respond_empty(204, std::move(headers));
}

asio::awaitable<void> delete_objects(Call& call) {
    const std::string body = co_await read_small_body(call, kMaxDeleteBody);
    const DeleteObjectsRequest request = parse_delete_objects(body);
    const bool quiet = request.quiet;
    const std::vector<DeleteObjectsRequest::Object>& items = request.objects;
    checked_bucket(call, call.services.objects.meta().snapshot().catalog());

    XmlWriter xml("DeleteResult");
    for (const DeleteObjectsRequest::Object& item : items) {
        std::optional<S3Error> failure;
        engine::DeleteOutcome outcome;
        try {
            if (auto problem = object_key_problem(item.key)) throw S3Error(400, problem->code, problem->message);
            std::uint64_t seq = 0;
            if (item.version_id && *item.version_id != "null" && !meta::parse_version_id(*item.version_id, seq)) {
                throw S3Error(400, "NoSuchVersion", "The specified version does not exist.");
            }
            outcome = co_await call.services.objects.remove(call.target.bucket, item.key, item.version_id,
                                                            commit_check(call));
        } catch (const std::exception&) {
            // As DeleteObject would answer (a full store refuses a delete
            // marker); an internal failure is logged and told generically.
            failure = failure_of(std::current_exception(), call);
            if (!failure) throw;
        }
        if (failure) {
            xml.open("Error").element("Key", item.key);
            if (item.version_id) xml.element("VersionId", *item.version_id);
            xml.element("Code", failure->code()).element("Message", failure->what()).close();
        } else if (!quiet) {
            xml.open("Deleted").element("Key", item.key);
            if (item.version_id) xml.element("VersionId", *item.version_id);
            if (outcome.delete_marker) {
                xml.boolean("DeleteMarker", true);
                if (!item.version_id) xml.element("DeleteMarkerVersionId", outcome.version_id);
            }
            xml.close();
        }
    }
    co_await call.respond_xml(200, xml.finish());
}

}  // namespace shoal::s3
