#include "core/auth/signer.hpp"

#include <algorithm>
#include <vector>

#include "core/auth/canonical_request.hpp"
#include "core/auth/payload_mode.hpp"
#include "core/auth/signing_key.hpp"
#include "core/auth/uri_encode.hpp"

namespace shoal::auth {
namespace {

constexpr std::string_view kUnsignedHeaders[] = {"authorization", "user-agent",        "expect",
                                                 "connection",    "transfer-encoding", "x-amzn-trace-id"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
        if (!out.empty()) out += ';';
        out += n;
    }
    return out;
}

CredentialScope scope_of(const SigningParams& params) {
    return CredentialScope{format_scope_date(params.time), params.region, params.service};
}

}  // namespace

StreamingContext sign_request(http::Request& request, const SigningParams& params, std::string_view payload_hash) {
    const std::string amz_date = format_amz_date(params.time);
    if (request.header("x-amz-date") == nullptr) request.headers.push_back({"x-amz-date", amz_date});
    if (request.header("x-amz-content-sha256") == nullptr) {
        request.headers.push_back({"x-amz-content-sha256", std::string(payload_hash)});
    }

    std::vector<std::string> names;
    for (const http::Header& h : request.headers) {
        std::string name = lower(h.name);
        if (std::find(std::begin(kUnsignedHeaders), std::end(kUnsignedHeaders), name) != std::end(kUnsignedHeaders)) {
            continue;
        }
        names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const std::string signed_headers = join(names);

    const CredentialScope scope = scope_of(params);
    StreamingContext context;
    context.key = params.key_cache != nullptr ? params.key_cache->get(params.credentials.secret_key, scope)
                                              : derive_signing_key(params.credentials.secret_key, scope);
    context.amz_date = amz_date;
    context.scope = scope.to_string();
    const std::string canonical =
        canonical_request(request.method, canonical_uri(request.path()),
                          canonical_query_string(parse_query(request.query())),
                          canonical_headers(request.headers, names), signed_headers,
                          *request.header("x-amz-content-sha256"));
    context.seed_signature = sign(context.key, string_to_sign(amz_date, context.scope, canonical));

    request.headers.push_back({"Authorization", std::string(kAlgorithm) + " Credential=" +
                                                    params.credentials.access_key + "/" + context.scope +
                                                    ", SignedHeaders=" + signed_headers +
                                                    ", Signature=" + context.seed_signature});
    return context;
}

std::string presign(std::string_view method, std::string_view target, std::string_view host,
                    const SigningParams& params, std::chrono::seconds expires) {
    const CredentialScope scope = scope_of(params);
    const std::string scope_text = scope.to_string();
    const std::string amz_date = format_amz_date(params.time);

    std::string out(target);
    out += out.find('?') == std::string::npos ? '?' : '&';
    out += "X-Amz-Algorithm=";
    out += kAlgorithm;
    out += "&X-Amz-Credential=" + uri_encode(params.credentials.access_key + "/" + scope_text);
    out += "&X-Amz-Date=" + amz_date;
    out += "&X-Amz-Expires=" + std::to_string(expires.count());
    out += "&X-Amz-SignedHeaders=host";

    const std::string_view full = out;
    const std::size_t q = full.find('?');
    const std::vector<http::Header> headers = {{"host", std::string(host)}};
    const std::string canonical = canonical_request(
        method, canonical_uri(full.substr(0, q)), canonical_query_string(parse_query(full.substr(q + 1))),
        canonical_headers(headers, {"host"}), "host", payload_mode_literal(PayloadMode::unsigned_payload));
    const SigningKey key = derive_signing_key(params.credentials.secret_key, scope);
    out += "&X-Amz-Signature=" + sign(key, string_to_sign(amz_date, scope_text, canonical));
    return out;
}

}  // namespace shoal::auth
