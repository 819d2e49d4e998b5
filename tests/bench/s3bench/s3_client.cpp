#include "tests/bench/s3bench/s3_client.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "core/auth/payload_mode.hpp"
#include "core/auth/signer.hpp"
#include "core/auth/uri_encode.hpp"

namespace shoal::bench {
namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The text of <name>...</name> in an XML document, or empty.
std::string_view xml_element(std::string_view xml, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">";
    const std::size_t start = xml.find(open);
    if (start == std::string_view::npos) return {};
    const std::size_t from = start + open.size();
    const std::size_t end = xml.find("</" + std::string(name) + ">", from);
    if (end == std::string_view::npos) return {};
    return xml.substr(from, end - from);
}

// "METHOD /path" for messages (a presigned query would drown the rest).
std::string what(std::string_view method, std::string_view target) {
    return std::string(method) + " " + std::string(target.substr(0, target.find("?X-Amz-")));
}

std::string failure(std::string_view method, const std::string& target, const HttpResponse& r) {
    std::string text = what(method, target) + ": " + std::to_string(r.status);
    const std::string_view code = xml_element(r.body, "Code");
    if (!code.empty()) text += " " + std::string(code);
    return text;
}

}  // namespace

std::string object_target(const Options& options, std::uint64_t index) {
    char number[24];
    std::snprintf(number, sizeof number, "%08llu", static_cast<unsigned long long>(index));
    return "/" + options.bucket + "/" + auth::uri_encode(options.keys, true) + "/" + number;
}

std::vector<std::string> presign_all(const Options& options, const Endpoint& endpoint, Op op) {
    std::string method = "GET";
    if (op == Op::put) method = "PUT";
    if (op == Op::head) method = "HEAD";
    if (op == Op::del) method = "DELETE";
    auth::SigningParams params;
    params.credentials = {options.access_key, options.secret_key};
    params.region = options.region;
    params.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto expires = std::chrono::seconds(3600 + static_cast<long long>(options.duration));
    std::vector<std::string> targets;
    targets.reserve(options.objects);
    for (std::uint64_t i = 0; i < options.objects; ++i) {
        targets.push_back(auth::presign(method, object_target(options, i), endpoint.host_header, params, expires));
    }
    return targets;
}

S3Client::S3Client(const RunContext& context)
    : context_(context),
      connection_(context.endpoint, std::chrono::seconds(context.options.timeout_seconds)) {}

const std::string& S3Client::target_for(Op op, std::uint64_t index) {
    const std::vector<std::string>& presigned = context_.presigned[static_cast<std::size_t>(op)];
    if (index < presigned.size()) return presigned[index];
    target_ = object_target(context_.options, index);
    return target_;
}

std::string S3Client::request_head(std::string_view method, const std::string& target, std::uint64_t body_size,
                                   bool has_body, bool presigned) const {
    http::Request request;
    request.method = std::string(method);
    request.target = target;
    request.headers.push_back({"Host", context_.endpoint.host_header});
    if (has_body) request.headers.push_back({"Content-Length", std::to_string(body_size)});
    if (!context_.options.plain && !presigned) {
        auth::SigningParams params;
        params.credentials = {context_.options.access_key, context_.options.secret_key};
        params.region = context_.options.region;
        params.key_cache = &signing_keys_;
        params.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        std::string_view payload_hash = auth::payload_mode_literal(auth::PayloadMode::unsigned_payload);
        if (context_.options.payload_sha256) payload_hash = has_body ? context_.body_sha256 : kEmptySha256;
        auth::sign_request(request, params, payload_hash);
    }
    std::string head;
    head.reserve(512);
    head += request.method;
    head += ' ';
    head += request.target;
    head += " HTTP/1.1\r\n";
    for (const http::Header& h : request.headers) {
        head += h.name;
        head += ": ";
        head += h.value;
        head += "\r\n";
    }
    head += "\r\n";
    return head;
}

OpResult S3Client::perform(std::string_view method, const std::string& target, std::uint64_t body_size, bool has_body,
                           const ResponseOptions& options, HttpResponse& response, bool presigned) {
    OpResult result;
    try {
        const std::string head = request_head(method, target, body_size, has_body, presigned);
        response = connection_.exchange(head, context_.payload, has_body ? body_size : 0, options);
        result.ok = response.status >= 200 && response.status < 300;
        if (!result.ok) result.error = failure(method, target, response);
    } catch (const std::runtime_error& e) {
        result.error = what(method, target) + ": " + e.what();
    }
    return result;
}

OpResult S3Client::put(std::uint64_t index) {
    HttpResponse response;
    const bool presigned = !context_.presigned[static_cast<std::size_t>(Op::put)].empty();
    OpResult r = perform("PUT", target_for(Op::put, index), context_.options.size, true, {}, response, presigned);
    if (r.ok) r.bytes = context_.options.size;
    return r;
}

OpResult S3Client::get(std::uint64_t index) {
    HttpResponse response;
    ResponseOptions options;
    options.crc32c = context_.options.verify;
    const bool presigned = !context_.presigned[static_cast<std::size_t>(Op::get)].empty();
    const std::string& target = target_for(Op::get, index);
    OpResult r = perform("GET", target, 0, false, options, response, presigned);
    r.bytes = response.body_bytes;
    if (r.ok && response.body_bytes != context_.options.size) {
        r.ok = false;
        r.error = what("GET", target) + ": body of " + std::to_string(response.body_bytes) + " bytes, expected " +
                  std::to_string(context_.options.size);
    } else if (r.ok && context_.options.verify && response.body_crc32c != context_.body_crc32c) {
        r.ok = false;
        r.error = what("GET", target) + ": body CRC-32C differs from what was uploaded";
    }
    return r;
}

OpResult S3Client::head(std::uint64_t index) {
    HttpResponse response;
    ResponseOptions options;
    options.head_request = true;
    const bool presigned = !context_.presigned[static_cast<std::size_t>(Op::head)].empty();
    return perform("HEAD", target_for(Op::head, index), 0, false, options, response, presigned);
}

OpResult S3Client::remove(std::uint64_t index) {
    HttpResponse response;
    const bool presigned = !context_.presigned[static_cast<std::size_t>(Op::del)].empty();
    return perform("DELETE", target_for(Op::del, index), 0, false, {}, response, presigned);
}

OpResult S3Client::list_page() {
    std::string target = "/" + context_.options.bucket + "?list-type=2&max-keys=" +
                         std::to_string(context_.options.max_keys) + "&prefix=" +
                         auth::uri_encode(context_.options.keys + "/");
    if (!continuation_.empty()) target += "&continuation-token=" + auth::uri_encode(continuation_);
    HttpResponse response;
    ResponseOptions options;
    options.keep_body = true;
    OpResult r = perform("GET", target, 0, false, options, response);
    r.bytes = response.body_bytes;
    if (!r.ok) {
        continuation_.clear();
        return r;
    }
    const std::string_view count = xml_element(response.body, "KeyCount");
    r.keys = count.empty() ? 0 : std::strtoull(std::string(count).c_str(), nullptr, 10);
    if (xml_element(response.body, "IsTruncated") == "true") {
        continuation_ = std::string(xml_element(response.body, "NextContinuationToken"));
        if (continuation_.empty()) {
            r.ok = false;
            r.error = "GET " + target + ": truncated listing without NextContinuationToken";
        }
    } else {
        continuation_.clear();
    }
    return r;
}

OpResult S3Client::create_bucket() {
    HttpResponse response;
    const std::string target = "/" + context_.options.bucket;
    OpResult r = perform("PUT", target, 0, true, {}, response);
    if (!r.ok && response.status == 409 && xml_element(response.body, "Code") == "BucketAlreadyOwnedByYou") {
        r.ok = true;
        r.error.clear();
    }
    return r;
}

}  // namespace shoal::bench
