#include "core/s3/api.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "core/hash/encoding.hpp"
#include "core/hash/md5.hpp"
#include "core/s3/body_source.hpp"
#include "core/s3/error.hpp"
#include "core/s3/errors.hpp"
#include "core/s3/failure.hpp"
#include "core/s3/names.hpp"

namespace shoal::s3 {

std::vector<http::Header> Call::base_headers() const {
    return {http::Header{"x-amz-request-id", request_id}, http::Header{"x-amz-id-2", request_id}};
}

asio::awaitable<void> Call::respond_xml(int status, std::string body, std::vector<http::Header> extra) {
    http::Response response;
    response.status = status;
    response.headers = base_headers();
    response.headers.push_back(http::Header{"Content-Type", "application/xml"});
    response.headers.insert(response.headers.end(), extra.begin(), extra.end());
    response.body = std::move(body);
    co_await exchange.respond(response);
}

asio::awaitable<void> Call::respond_empty(int status, std::vector<http::Header> extra) {
    http::Response response;
    response.status = status;
    response.headers = base_headers();
    response.headers.insert(response.headers.end(), extra.begin(), extra.end());
    co_await exchange.respond(response);
}

asio::awaitable<std::string> read_small_body(Call& call, std::size_t limit) {
    std::string body;
    if (const auto length = call.exchange.body_length(); length && *length > limit) {
        throw S3Error(400, "MaxMessageLengthExceeded", "Your request was too big.");
    }
    BodySource source(call.exchange, call.auth ? &*call.auth : nullptr);
    std::string buffer(16 * 1024, '\0');
    while (true) {
        const std::size_t n = co_await source.read(buffer);
        if (n == 0) break;
        if (body.size() + n > limit) throw S3Error(400, "MaxMessageLengthExceeded", "Your request was too big.");
        body.append(buffer.data(), n);
    }
    // S3 checks a Content-MD5 on its XML requests too (SDKs send one for
    // DeleteObjects and PutObjectTagging): a body that changed is refused.
    if (const std::string* md5 = call.header("Content-MD5")) {
        const auto expected = hash::base64_decode(*md5);
        if (!expected || expected->size() != hash::Md5::kDigestSize) {
            throw S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
        }
        const hash::Md5::Digest actual = hash::Md5().update(body).finish();
        if (!std::equal(actual.begin(), actual.end(), expected->begin())) {
            throw S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        }
    }
    co_return body;
}

Api::Api(engine::ObjectStore& objects, ApiOptions options, auth::SecretKeyLookup secret_for, log::Logger& log,
         engine::Maintenance* maintenance)
    : options_(std::move(options)),
      services_{objects, options_, log, std::move(secret_for), maintenance},
      id_base_(std::random_device{}()) {}

// Checks the request's signature; every request must be signed (anonymous
// access comes with per-bucket public-read switches).
void Api::authenticate(Call& call) {
    const http::Request& request = call.request();
    if (auth::auth_method(request) == auth::AuthMethod::anonymous) {
        throw access_denied("Anonymous access is not allowed: sign your request with AWS Signature Version 4.");
    }
    auth::VerifierOptions verifier;
    verifier.region = options_.region;
    verifier.key_cache = &signing_keys_;
    auth::AuthResult result = auth::verify_request(request, services_.secret_for, std::chrono::system_clock::now(),
                                                   verifier);
    if (auto* error = std::get_if<auth::Error>(&result)) {
        services_.log.debug("request refused by authentication",
                            {{"request_id", call.request_id}, {"code", error->code_name()}, {"detail", error->detail}});
        throw S3Error(error->http_status(), std::string(error->code_name()), error->message);
    }
    call.auth = std::move(std::get<auth::Authenticated>(result));
}

std::string Api::next_request_id() {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%08llX%08llX", static_cast<unsigned long long>(id_base_ & 0xffffffffu),
                  static_cast<unsigned long long>(id_counter_.fetch_add(1, std::memory_order_relaxed)));
    return buf;
}

asio::awaitable<void> Api::handle(http::Exchange& exchange) {
    std::exception_ptr error;
    Call call{exchange, {}, next_request_id(), services_, std::nullopt};
    try {
        call.target = parse_target(exchange.request(), options_.domains);
        authenticate(call);
        co_await dispatch(call);
    } catch (...) {
        error = std::current_exception();
    }
    if (!error) co_return;
    const std::optional<S3Error> failure = failure_of(error, call);
    if (!failure) std::rethrow_exception(error);
    if (exchange.response_started()) throw http::ConnectionLost("S3 error after the response began: " + failure->code());
    http::Response response = error_response(failure->status(), failure->code(), failure->what(),
                                             exchange.request().path());
    for (http::Header& h : call.base_headers()) response.headers.push_back(std::move(h));
    if (exchange.request().method == "HEAD") response.body.clear();  // HEAD errors carry no body
    co_await exchange.respond(response);
}

asio::awaitable<void> Api::dispatch(Call& call) {
    const std::string& method = call.request().method;
    const Target& t = call.target;

    if (t.bucket.empty()) {
        if (method == "GET") co_return co_await list_buckets(call);
        throw S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    if (t.bucket == kAdminPath) co_return co_await admin(call);
    if (auto problem = bucket_name_problem(t.bucket)) throw S3Error(400, "InvalidBucketName", *problem);

    if (t.key.empty()) {
        if (method == "GET") {
            if (t.has("location")) co_return co_await get_bucket_location(call);
            if (t.has("versioning")) co_return co_await get_bucket_versioning(call);
            if (t.has("versions")) co_return co_await list_object_versions(call);
            if (t.has("uploads")) co_return co_await list_multipart_uploads(call);
            if (t.has("acl") || t.has("policy") || t.has("lifecycle") || t.has("cors") ||
                t.has("tagging") || t.has("notification") || t.has("replication") || t.has("encryption") ||
                t.has("object-lock") || t.has("website") || t.has("logging") || t.has("ownershipControls")) {
                throw not_implemented("this bucket sub-resource is not implemented yet");
            }
            const std::string* list_type = t.param("list-type");
            co_return co_await list_objects(call, list_type != nullptr && *list_type == "2");
        }
        if (method == "PUT") {
            if (t.has("versioning")) co_return co_await put_bucket_versioning(call);
            if (!t.query.empty()) throw not_implemented("this bucket sub-resource is not implemented yet");
            co_return co_await create_bucket(call);
        }
        if (method == "HEAD") co_return co_await head_bucket(call);
        if (method == "DELETE") {
            if (!t.query.empty()) throw not_implemented("this bucket sub-resource is not implemented yet");
            co_return co_await delete_bucket(call);
        }
        if (method == "POST" && t.has("delete")) co_return co_await delete_objects(call);
        throw S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }

    if (auto problem = object_key_problem(t.key)) throw S3Error(400, problem->code, problem->message);
    if (method == "POST" && t.has("uploads")) co_return co_await create_multipart_upload(call);
    if (t.has("uploadId")) {
        if (method == "PUT" && call.header("x-amz-copy-source")) co_return co_await upload_part_copy(call);
        if (method == "PUT") co_return co_await upload_part(call);
        if (method == "POST") co_return co_await complete_multipart_upload(call);
        if (method == "DELETE") co_return co_await abort_multipart_upload(call);
        if (method == "GET") co_return co_await list_parts(call);
        throw S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    if (t.has("tagging")) {
        if (method == "GET") co_return co_await get_object_tagging(call);
        if (method == "PUT") co_return co_await put_object_tagging(call);
        if (method == "DELETE") co_return co_await delete_object_tagging(call);
        throw S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    if (t.has("uploads") || t.has("acl") || t.has("retention") ||
        t.has("legal-hold") || t.has("attributes") || t.has("restore") || t.has("select")) {
        throw not_implemented("this object sub-resource is not implemented yet");
    }
    if (method == "PUT") {
        if (call.header("x-amz-copy-source")) co_return co_await copy_object(call);
        co_return co_await put_object(call);
    }
    if (method == "GET") co_return co_await get_object(call, false);
    if (method == "HEAD") co_return co_await get_object(call, true);
    if (method == "DELETE") co_return co_await delete_object(call);
    throw S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace shoal::s3
