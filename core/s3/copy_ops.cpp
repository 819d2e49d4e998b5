// Server-side copies: CopyObject (PUT with x-amz-copy-source) and
// UploadPartCopy (the same on a part of a multipart upload).
//
// A copy is a PUT (or an UploadPart) whose body is the source version's
// content read through an engine::VersionSource: it streams through the
// normal writer path (one I/O buffer per request, whatever the size), is cut
// into new chunks, and every chunk is durable before the metadata commit
// that points to it, exactly as for a PUT. Chunks are never shared between
// versions, so deleting either object later frees only its own.
//
// The source is looked up in one snapshot under a read lease, then read
// chunk by chunk. If it is deleted or overwritten meanwhile, its chunks stay
// until the copy's lease ends (engine/read_leases.hpp), so the copy completes
// with the version it found. Should a source chunk still be missing (a damaged
// drive), the copy fails cleanly (its own chunks removed, nothing committed);
// it never stores bytes of a mix.
//
// A copy still working after ApiOptions::keepalive_interval answers 200 at
// once and keeps the connection alive with whitespace until its result (or
// an <Error> document) follows: see slow_answer.hpp.
#include "core/chunk/chunk_error.hpp"
#include "core/engine/version_source.hpp"
#include "core/s3/call.hpp"
#include "core/s3/conditions.hpp"
#include "core/s3/access_check.hpp"
#include "core/s3/copy_source.hpp"
#include "core/s3/error.hpp"
#include "core/s3/range.hpp"
#include "core/s3/slow_answer.hpp"
#include "core/s3/tagging.hpp"
#include "core/s3/write_conditions.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::uint64_t kMaxCopySize = std::uint64_t{5} << 30;  // S3's limit for one copy (object or part)

std::string quote_etag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

S3Error precondition_failed() {
    return S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
}

struct Source {
    CopySource names;
    Located located;
};

// The source a copy request names, checked against its conditions.
Source resolve_source(Call& call) {
    Source source{parse_copy_source(*call.header("x-amz-copy-source")), {}};
    const std::optional<std::uint64_t> bucket_id = check_source_access(call, source.names.bucket);
    const std::string* version_id = source.names.version_id ? &*source.names.version_id : nullptr;
    source.located =
        locate_version(call.services.objects, source.names.bucket, source.names.key, version_id, bucket_id);
    if (source.located.version.delete_marker) {
        if (version_id != nullptr) {
            throw invalid_request("The source of a copy request may not specifically refer to a delete marker by "
                                  "version id.");
        }
        throw no_such_key(source.names.key);
    }
    const CopySourceConditions conditions{
        call.header("x-amz-copy-source-if-match"), call.header("x-amz-copy-source-if-none-match"),
        call.header("x-amz-copy-source-if-modified-since"), call.header("x-amz-copy-source-if-unmodified-since")};
    if (!copy_source_conditions_hold(conditions, source.located.version.etag, source.located.version.modified_ms)) {
        throw precondition_failed();
    }
    return source;
}

void check_copy_size(std::uint64_t size) {
    if (size > kMaxCopySize) {
        throw invalid_request("The specified copy source is larger than the maximum allowable size for a copy "
                              "source: 5368709120");
    }
}

// COPY (the default) or REPLACE, from a directive header.
bool replaces(const Call& call, std::string_view header) {
    const std::string* value = call.header(header);
    if (value == nullptr || *value == "COPY") return false;
    if (*value == "REPLACE") return true;
    throw invalid_argument("Unknown " + std::string(header) + " value: " + *value);
}

// The error for a copy whose source lost a chunk while being read: the
// source's absence if it was deleted or replaced meanwhile, else a genuinely
// missing chunk (an internal error).
S3Error vanished_source_error(Call& call, const Source& source) {
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const auto bucket = snapshot.catalog().bucket(source.names.bucket);
    if (!bucket || bucket->id != source.located.bucket.id) return no_such_bucket(source.names.bucket);
    const meta::ObjectVersion& read = source.located.version;
    const auto still = snapshot.catalog().version(*bucket, read.key, read.version_id());
    if (still && still->seq == read.seq) {
        call.services.log.error("a chunk of a copy source is missing",
                                {{"request_id", call.request_id}, {"bucket", source.names.bucket}, {"key", read.key}});
        return S3Error(500, "InternalError", "a chunk of the copy source is missing");
    }
    call.services.log.debug("copy source removed during the copy",
                            {{"request_id", call.request_id}, {"bucket", source.names.bucket}, {"key", read.key}});
    if (source.names.version_id) return S3Error(404, "NoSuchVersion", "The specified version does not exist.");
    return no_such_key(source.names.key);
}

// Awaits `write`, which reads the source through an engine::VersionSource. A
// source chunk found missing becomes vanished_source_error(); once the source
// is read in full its lease ends, before the answer, so that the client never
// finds it held.
template <typename Result>
asio::awaitable<Result> written_from(Call& call, Source& source, asio::awaitable<Result> write) {
    std::optional<Result> result;
    bool vanished = false;
    try {
        result = co_await std::move(write);
    } catch (const chunk::ChunkError& e) {
        if (e.code() != chunk::ChunkErrc::not_found) throw;
        vanished = true;  // thrown below: no co_await in a handler
    }
    if (vanished) throw vanished_source_error(call, source);
    source.located.lease.end();
    co_return std::move(*result);
}

std::vector<http::Header> copy_headers(const Source& source) {
    std::vector<http::Header> headers;
    const std::string version = version_header_value(source.located.bucket, source.located.version);
    if (!version.empty()) headers.push_back(http::Header{"x-amz-copy-source-version-id", version});
    return headers;
}

void checksum_element(XmlWriter& xml, const std::string& algorithm, const std::string& value) {
    if (!algorithm.empty() && !value.empty()) xml.element("Checksum" + algorithm, value);
}

}  // namespace

asio::awaitable<void> copy_object(Call& call) {
    const bool replace_metadata = replaces(call, "x-amz-metadata-directive");
    const bool replace_tags = replaces(call, "x-amz-tagging-directive");
    engine::PutInput input = put_input_from_request(call);  // the request's headers, storage class and tags
    // The destination's conditions (If-Match, If-None-Match), checked before
    // copying anything and again at the commit, with the caller's access.
    const WriteConditions conditions(call.header("If-Match"), call.header("If-None-Match"));
    check_conditions_on_arrival(call, conditions);
    input.check = commit_check(call, conditions.at_commit(call.target.key));
    Source source = resolve_source(call);
    const meta::ObjectVersion& from = source.located.version;
    check_copy_size(from.size);

    // Copying an object onto itself must change something (S3's rule): its
    // metadata (REPLACE) or its storage class. An older version of the same
    // key is not "itself": copying it restores it.
    const std::string* storage_class = call.header("x-amz-storage-class");
    if (source.names.bucket == call.target.bucket && source.names.key == call.target.key && !replace_metadata &&
        (storage_class == nullptr || *storage_class == from.storage_class)) {
        const auto newest = call.services.objects.meta().snapshot().catalog().newest(source.located.bucket,
                                                                                        from.key);
        if (newest && newest->seq == from.seq) {
            throw invalid_request("This copy request is illegal because it is trying to copy an object to itself "
                                  "without changing the object's metadata, storage class, website redirect location "
                                  "or encryption attributes.");
        }
    }

    if (!replace_metadata) input.headers = from.headers;
    if (!replace_tags) input.tags = from.tags;
    input.expected_size = from.size;
    // The same additional checksum as the source unless the request names one.
    if (const std::string* named = call.header("x-amz-checksum-algorithm")) {
        const auto algorithm = engine::parse_checksum_algorithm(*named);
        if (!algorithm) throw invalid_request("Value for x-amz-checksum-algorithm header is invalid.");
        input.checksum = *algorithm;
    } else if (const auto algorithm = engine::parse_checksum_algorithm(from.checksum_algorithm)) {
        input.checksum = *algorithm;
    }

    // The copy itself, answered early with whitespace if it takes long.
    auto copy = [&]() -> asio::awaitable<XmlAnswer> {
        engine::VersionSource body(call.services.objects, from, source.located.bucket.name, 0, from.size);
        const meta::ObjectVersion written =
            co_await written_from(call, source, call.services.objects.put(std::move(input), body));

        XmlWriter xml("CopyObjectResult");
        xml.element("ETag", quote_etag(written.etag)).element("LastModified", iso8601_ms(written.modified_ms));
        checksum_element(xml, written.checksum_algorithm, written.checksum);
        XmlAnswer answer;
        answer.document = xml.finish();
        answer.headers = copy_headers(source);
        if (!written.null_version) answer.headers.push_back(http::Header{"x-amz-version-id", written.version_id()});
        co_return answer;
    };
    co_await answer_when_done(call, copy_headers(source), copy);
}

asio::awaitable<void> upload_part_copy(Call& call) {
    const std::uint32_t number = part_number_of(call.target.param("partNumber"));
    const std::string upload_id = upload_id_of(call);
    engine::ChecksumAlgorithm algorithm = engine::ChecksumAlgorithm::none;
    {
        // Fail before reading anything; the part is hashed as the upload asks.
        const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
        const meta::UploadRecord upload = snapshot.catalog().upload_or_refuse(
            checked_bucket(call, snapshot.catalog()), call.target.key, upload_id);
        if (const auto named = engine::parse_checksum_algorithm(upload.checksum_algorithm)) algorithm = *named;
    }
    Source source = resolve_source(call);
    const meta::ObjectVersion& from = source.located.version;
    ByteRange range{0, from.size};
    if (const std::string* header = call.header("x-amz-copy-source-range")) range = parse_copy_range(*header, from.size);
    check_copy_size(range.length);

    auto copy = [&]() -> asio::awaitable<XmlAnswer> {
        engine::VersionSource body(call.services.objects, from, source.located.bucket.name, range.first, range.length);
        const meta::PartRecord part = co_await written_from(
            call, source, call.services.objects.put_part(call.target.bucket, call.target.key, upload_id, number,
                                                         algorithm, nullptr, body, commit_check(call)));

        XmlWriter xml("CopyPartResult");
        xml.element("ETag", quote_etag(part.etag)).element("LastModified", iso8601_ms(part.modified_ms));
        if (algorithm != engine::ChecksumAlgorithm::none) {
            checksum_element(xml, std::string(engine::checksum_name(algorithm)), part.checksum);
        }
        XmlAnswer answer;
        answer.document = xml.finish();
        answer.headers = copy_headers(source);
        co_return answer;
    };
    co_await answer_when_done(call, copy_headers(source), copy);
}

}  // namespace shoal::s3
