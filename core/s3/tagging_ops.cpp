// Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging
// (?tagging, optionally with versionId). Tags live in the version's record;
// changing them changes that record and makes no new version (as S3).
#include "core/s3/access_check.hpp"
#include "core/s3/call.hpp"
#include "core/s3/error.hpp"
#include "core/s3/tagging.hpp"

namespace shoal::s3 {
namespace {

constexpr std::size_t kMaxTaggingBody = 256 * 1024;  // 10 tags, even fully escaped, fit easily

S3Error method_not_allowed() {
    return S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

// The versionId parameter, checked to be one this store could have issued.
std::optional<std::string> version_id_of(const Call& call) {
    const std::string* id = call.target.param("versionId");
    if (id == nullptr) return std::nullopt;
    std::uint64_t seq = 0;
    if (*id != "null" && !meta::parse_version_id(*id, seq)) throw invalid_argument("Invalid version id specified");
    return *id;
}

// A delete marker has no tags: addressed by id it is the wrong method (405),
// as the newest version the key does not exist (as S3 answers both).
std::function<void(const meta::ObjectVersion&)> refuse_delete_marker(const Call& call) {
    return [addressed = call.target.has("versionId"), key = call.target.key](const meta::ObjectVersion& v) {
        if (!v.delete_marker) return;
        if (addressed) throw method_not_allowed();
        throw no_such_key(key);
    };
}

std::vector<http::Header> version_header(const meta::ObjectVersion& v) {
    std::vector<http::Header> headers;
    if (!v.null_version) headers.push_back(http::Header{"x-amz-version-id", v.version_id()});
    return headers;
}

asio::awaitable<void> set_tags(Call& call, TagSet tags, int status) {
    const std::optional<std::string> version_id = version_id_of(call);
    const meta::ObjectVersion v = co_await call.services.objects.set_tags(
        call.target.bucket, call.target.key, version_id, std::move(tags), commit_check(call), refuse_delete_marker(call));
    co_await call.respond_empty(status, version_header(v));
}

}  // namespace

asio::awaitable<void> get_object_tagging(Call& call) {
    const std::optional<std::string> version_id = version_id_of(call);
    Located located = locate_version(call.services.objects, call.target.bucket, call.target.key,
                                     version_id ? &*version_id : nullptr, call.access.bucket_id);
    located.lease.end();  // no chunk is read: nothing to hold while a slow client reads the answer
    refuse_delete_marker(call)(located.version);
    std::vector<http::Header> headers;
    const std::string version = version_header_value(located.bucket, located.version);
    if (!version.empty()) headers.push_back(http::Header{"x-amz-version-id", version});
    co_await call.respond_xml(200, tagging_xml(located.version.tags), std::move(headers));
}

asio::awaitable<void> put_object_tagging(Call& call) {
    const std::string body = co_await read_small_body(call, kMaxTaggingBody);
    TagSet tags = parse_tagging_xml(body);
    co_await set_tags(call, std::move(tags), 200);
}

asio::awaitable<void> delete_object_tagging(Call& call) {
    TagSet none;  // (a variable, not {} in the co_await: GCC 12 miscompiles braced lists there)
    co_await set_tags(call, std::move(none), 204);
}

}  // namespace shoal::s3
