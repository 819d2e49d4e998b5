#include "core/s3/api.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "core/access/key_ring.hpp"
#include "core/hash/encoding.hpp"
#include "core/hash/md5.hpp"
#include "core/s3/access_check.hpp"
#include "core/s3/body_source.hpp"
#include "core/s3/error.hpp"
#include "core/s3/errors.hpp"
#include "core/s3/failure.hpp"
#include "core/s3/names.hpp"

namespace shoal::s3 {

std::vector<http::Header> Call::base_headers() const {
    return {http::Header{"x-amz-request-id", request_id}, http::Header{"x-amz-id-2", request_id}};
}

http::Response Call::error_answer(const S3Error& error) const {
    http::Response response =
        error_response(error.status(), error.code(), error.what(), request().path(), request_id);
    for (http::Header& h : base_headers()) response.headers.push_back(std::move(h));
    if (request().method == "HEAD") response.body.clear();  // HEAD errors carry no body
    return response;
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

Api::Api(engine::ObjectStore& objects, ApiOptions options, access::KeyRing& keys, log::Logger& log,
         engine::Maintenance* maintenance)
    : options_(std::move(options)),
      services_{objects, options_, log, keys, maintenance, &failures_},
      id_base_(std::random_device{}()) {}

// Checks the request's signature, if it has one: unsigned requests go on as
// anonymous, and check_access() serves them only what is public.
void Api::authenticate(Call& call) {
    const http::Request& request = call.request();
    if (auth::auth_method(request) == auth::AuthMethod::anonymous) return;
    auth::VerifierOptions verifier;
    verifier.region = options_.region;
    verifier.key_cache = &signing_keys_;
    const access::KeyRing& keys = services_.keys;
    const auth::SecretKeyLookup secret_for = [&keys](std::string_view access_key) {
        return keys.secret_for(access_key);
    };
    auth::AuthResult result = auth::verify_request(request, secret_for, std::chrono::system_clock::now(), verifier);
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
    Call call{exchange, {}, next_request_id(), services_, std::nullopt, {}};
    try {
        call.target = parse_target(exchange.request(), options_.domains);
        const Operation op = classify(exchange.request(), call.target);
        authenticate(call);
        check_access(call, op);
        co_await dispatch(call, op);
    } catch (...) {
        error = std::current_exception();
    }
    if (!error) co_return;
    const std::optional<S3Error> failure = failure_of(error, call);
    if (!failure) std::rethrow_exception(error);
    if (exchange.response_started()) throw http::ConnectionLost("S3 error after the response began: " + failure->code());
    const http::Response response = call.error_answer(*failure);
    co_await exchange.respond(response);
}

http::Response Api::transport_error(int status, std::string_view reason) {
    const std::string request_id = next_request_id();
    if (!is_internal_failure(status)) return s3::transport_error(status, reason, request_id);
    const std::string_view code = transport_error_code(status);
    if (status == 503) {
        // Overload, counted and logged at a bounded rate by the HTTP server.
        services_.log.debug("connection refused at the limit", {{"request_id", request_id}, {"reason", reason}});
    } else {
        services_.log.error("request failed", {{"request_id", request_id}, {"status", status}, {"error", reason}});
        failures_.record({.request_id = request_id,
                          .status = status,
                          .code = std::string(code),
                          .method = {},  // refused before a request was read
                          .path = {},
                          .detail = std::string(reason)});
    }
    return s3::transport_error(status, generic_message(status, code), request_id);
}

asio::awaitable<void> Api::dispatch(Call& call, Operation op) {
    switch (op) {
        case Operation::list_buckets: co_return co_await list_buckets(call);
        case Operation::create_bucket: co_return co_await create_bucket(call);
        case Operation::head_bucket: co_return co_await head_bucket(call);
        case Operation::delete_bucket: co_return co_await delete_bucket(call);
        case Operation::get_bucket_location: co_return co_await get_bucket_location(call);
        case Operation::get_bucket_versioning: co_return co_await get_bucket_versioning(call);
        case Operation::put_bucket_versioning: co_return co_await put_bucket_versioning(call);
        case Operation::list_objects_v1: co_return co_await list_objects(call, false);
        case Operation::list_objects_v2: co_return co_await list_objects(call, true);
        case Operation::list_object_versions: co_return co_await list_object_versions(call);
        case Operation::list_multipart_uploads: co_return co_await list_multipart_uploads(call);
        case Operation::delete_objects: co_return co_await delete_objects(call);
        case Operation::create_multipart_upload: co_return co_await create_multipart_upload(call);
        case Operation::upload_part: co_return co_await upload_part(call);
        case Operation::upload_part_copy: co_return co_await upload_part_copy(call);
        case Operation::complete_multipart_upload: co_return co_await complete_multipart_upload(call);
        case Operation::abort_multipart_upload: co_return co_await abort_multipart_upload(call);
        case Operation::list_parts: co_return co_await list_parts(call);
        case Operation::get_object_tagging: co_return co_await get_object_tagging(call);
        case Operation::put_object_tagging: co_return co_await put_object_tagging(call);
        case Operation::delete_object_tagging: co_return co_await delete_object_tagging(call);
        case Operation::put_object: co_return co_await put_object(call);
        case Operation::copy_object: co_return co_await copy_object(call);
        case Operation::get_object: co_return co_await get_object(call, false);
        case Operation::head_object: co_return co_await get_object(call, true);
        case Operation::delete_object: co_return co_await delete_object(call);
        case Operation::admin: co_return co_await admin(call);
    }
}

}  // namespace shoal::s3
