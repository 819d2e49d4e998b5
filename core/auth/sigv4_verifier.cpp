#include "core/auth/sigv4_verifier.hpp"

#include <charconv>
#include <utility>

#include "core/auth/authorization.hpp"
#include "core/auth/canonical_request.hpp"
#include "core/auth/presigned.hpp"
#include "core/hash/encoding.hpp"

namespace shoal::auth {
namespace {

using std::chrono::seconds;

// What both forms have once parsed: enough to check the scope and compute
// the signature.
struct Claim {
    AuthMethod method = AuthMethod::header;
    SignatureParams params;
    std::string amz_date;  // the string to sign's timestamp
    Timestamp time;
    std::string payload_hash;  // the canonical request's last line
    PayloadDeclaration payload;
    std::uint64_t decoded_content_length = 0;
    std::vector<std::string> trailer_names;
    ErrorCode malformed = ErrorCode::authorization_header_malformed;  // or AuthorizationQueryParametersError
};

Error error(ErrorCode code, std::string message) { return Error{code, std::move(message), {}}; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && http::iequals(s.substr(0, prefix.size()), prefix);
}

std::string describe(Timestamp t) { return format_amz_date(t); }

const std::string kInvalidDate = "AWS authentication requires a valid Date or x-amz-date header";

// x-amz-content-sha256 and what it implies for a header-signed request.
std::optional<Error> read_payload(const http::Request& request, Claim& claim) {
    const std::string* declared = request.header("x-amz-content-sha256");
    if (declared == nullptr) {
        return error(ErrorCode::missing_security_header,
                     "Missing required header for this request: x-amz-content-sha256");
    }
    std::optional<PayloadDeclaration> payload = parse_payload_declaration(*declared);
    if (!payload) {
        return error(ErrorCode::invalid_argument,
                     "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                     "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a "
                     "SHA-256 in hexadecimal; got \"" + *declared + "\"");
    }
    claim.payload = *payload;
    claim.payload_hash = *declared;
    if (!is_streaming(payload->mode)) return std::nullopt;

    const std::string* decoded = request.header("x-amz-decoded-content-length");
    if (decoded == nullptr) {
        return error(ErrorCode::missing_content_length,
                     "x-amz-decoded-content-length is required with x-amz-content-sha256: " + *declared);
    }
    const auto [end, ec] = std::from_chars(decoded->data(), decoded->data() + decoded->size(),
                                           claim.decoded_content_length);
    if (decoded->empty() || ec != std::errc{} || end != decoded->data() + decoded->size()) {
        return error(ErrorCode::invalid_argument,
                     "x-amz-decoded-content-length must be a decimal byte count; got \"" + *decoded + "\"");
    }
    if (has_trailer(payload->mode)) {
        if (const std::string* trailer = request.header("x-amz-trailer")) {
            std::string_view list = *trailer;
            while (!list.empty()) {
                const std::size_t comma = list.find(',');
                const std::string_view name = trim(list.substr(0, comma));
                if (!name.empty()) claim.trailer_names.push_back(lower(name));
                if (comma == std::string_view::npos) break;
                list.remove_prefix(comma + 1);
            }
        }
    }
    return std::nullopt;
}

std::variant<Claim, Error> header_claim(const http::Request& request, std::string_view authorization,
                                        std::chrono::system_clock::time_point now, const VerifierOptions& options) {
    std::variant<SignatureParams, Error> parsed = parse_authorization_header(authorization);
    if (auto* e = std::get_if<Error>(&parsed)) return std::move(*e);

    Claim claim;
    claim.method = AuthMethod::header;
    claim.params = std::move(std::get<SignatureParams>(parsed));
    claim.malformed = ErrorCode::authorization_header_malformed;

    if (const std::string* amz_date = request.header("x-amz-date")) {
        const std::optional<Timestamp> t = parse_amz_date(*amz_date);
        if (!t) return error(ErrorCode::access_denied, kInvalidDate);
        claim.time = *t;
        claim.amz_date = *amz_date;
    } else if (const std::string* date = request.header("Date")) {
        const std::optional<Timestamp> t = parse_http_date(*date);
        if (!t) return error(ErrorCode::access_denied, kInvalidDate);
        claim.time = *t;
        claim.amz_date = format_amz_date(*t);
    } else {
        return error(ErrorCode::access_denied, kInvalidDate);
    }

    const auto now_s = std::chrono::floor<seconds>(now);
    const auto skew = claim.time > now_s ? claim.time - now_s : now_s - claim.time;
    if (skew > options.max_skew) {
        return error(ErrorCode::request_time_too_skewed,
                     "The difference between the request time and the server's time is too large: request time " +
                         describe(claim.time) + ", server time " + describe(now_s) + ", maximum skew " +
                         std::to_string(options.max_skew.count()) + " s");
    }
    if (auto e = read_payload(request, claim)) return std::move(*e);
    return claim;
}

std::variant<Claim, Error> presigned_claim(const http::Request& request, const std::vector<QueryParam>& query,
                                           std::chrono::system_clock::time_point now,
                                           const VerifierOptions& options) {
    std::variant<PresignedParams, Error> parsed = parse_presigned_params(query);
    if (auto* e = std::get_if<Error>(&parsed)) return std::move(*e);
    PresignedParams& p = std::get<PresignedParams>(parsed);

    Claim claim;
    claim.method = AuthMethod::presigned;
    claim.params = std::move(p.signature);
    claim.amz_date = std::move(p.amz_date);
    claim.time = p.time;
    claim.malformed = ErrorCode::authorization_query_parameters_error;

    const auto now_s = std::chrono::floor<seconds>(now);
    if (claim.time > now_s + options.max_skew) {
        return error(ErrorCode::access_denied, "Request is not valid yet: X-Amz-Date " + describe(claim.time) +
                                                   " is in the future (server time " + describe(now_s) + ")");
    }
    if (now_s > claim.time + p.expires) {
        return error(ErrorCode::access_denied, "Request has expired: it was valid until " +
                                                   describe(claim.time + p.expires) + ", server time " +
                                                   describe(now_s));
    }

    claim.payload.mode = PayloadMode::unsigned_payload;
    claim.payload_hash = payload_mode_literal(PayloadMode::unsigned_payload);
    if (const std::string* declared = request.header("x-amz-content-sha256")) {
        std::optional<PayloadDeclaration> payload = parse_payload_declaration(*declared);
        if (!payload || is_streaming(payload->mode)) {
            return error(ErrorCode::invalid_argument,
                         "with a presigned URL, x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA-256 in "
                         "hexadecimal; got \"" + *declared + "\"");
        }
        claim.payload = *payload;
        claim.payload_hash = *declared;
    }
    return claim;
}

// Checks common to both forms, then the signature itself.
AuthResult verify_claim(const http::Request& request, const std::vector<QueryParam>& query, Claim claim,
                        const SecretKeyLookup& secret_for, const VerifierOptions& options) {
    const CredentialScope& scope = claim.params.credential.scope;
    const std::string_view where = claim.method == AuthMethod::header ? "x-amz-date" : "X-Amz-Date";
    if (scope.date != std::string_view(claim.amz_date).substr(0, 8)) {
        return error(claim.malformed, "Invalid credential date \"" + scope.date + "\": it is not the date of " +
                                          std::string(where) + " (" + claim.amz_date + ")");
    }
    if (!options.region.empty() && scope.region != options.region) {
        return error(claim.malformed, "the region '" + scope.region + "' is wrong; expecting '" + options.region + "'");
    }
    if (scope.service != options.service) {
        return error(claim.malformed, "the service '" + scope.service + "' is wrong; expecting '" + options.service +
                                          "'");
    }

    bool host_signed = false;
    for (const std::string& name : claim.params.signed_header_names) {
        if (http::iequals(name, "host")) host_signed = true;
        if (request.header(name) == nullptr) {
            return error(claim.malformed, "the signed header '" + name + "' is not in the request");
        }
    }
    if (!host_signed) return error(claim.malformed, "the host header must be signed");
    for (const http::Header& h : request.headers) {
        if (!starts_with_ci(h.name, "x-amz-")) continue;
        bool is_signed = false;
        for (const std::string& name : claim.params.signed_header_names) {
            is_signed = is_signed || http::iequals(name, h.name);
        }
        if (!is_signed) {
            return error(ErrorCode::access_denied,
                         "There were headers present in the request which were not signed: " + lower(h.name));
        }
    }

    const std::optional<std::string> secret = secret_for(claim.params.credential.access_key);
    if (!secret) {
        return error(ErrorCode::invalid_access_key_id,
                     "The AWS Access Key Id you provided does not exist in our records: " +
                         claim.params.credential.access_key);
    }

    const std::string canonical = canonical_request(
        request.method, canonical_uri(request.path()),
        canonical_query_string(query, claim.method == AuthMethod::presigned ? "X-Amz-Signature" : ""),
        canonical_headers(request.headers, claim.params.signed_header_names), claim.params.signed_headers,
        claim.payload_hash);
    const std::string scope_text = scope.to_string();
    const std::string to_sign = string_to_sign(claim.amz_date, scope_text, canonical);
    const SigningKey key =
        options.key_cache != nullptr ? options.key_cache->get(*secret, scope) : derive_signing_key(*secret, scope);
    std::string expected = sign(key, to_sign);
    if (!signatures_equal(expected, claim.params.signature)) {
        return Error{ErrorCode::signature_does_not_match,
                     "The request signature we calculated does not match the signature you provided. Check your "
                     "key and signing method.",
                     "canonical request:\n" + canonical + "\nstring to sign:\n" + to_sign};
    }

    Authenticated a;
    a.access_key = std::move(claim.params.credential.access_key);
    a.method = claim.method;
    a.scope = scope;
    a.request_time = claim.time;
    a.payload_mode = claim.payload.mode;
    if (claim.payload.mode == PayloadMode::sha256) a.payload_sha256 = claim.payload.sha256;
    a.decoded_content_length = claim.decoded_content_length;
    a.trailer_names = std::move(claim.trailer_names);
    a.streaming.key = key;
    a.streaming.amz_date = std::move(claim.amz_date);
    a.streaming.scope = scope_text;
    a.streaming.seed_signature = std::move(expected);
    return a;
}

// The Authorization header, unless absent or empty (an empty one is anonymous, as in S3).
const std::string* authorization_of(const http::Request& request) {
    const std::string* value = request.header("Authorization");
    return value != nullptr && !value->empty() ? value : nullptr;
}

}  // namespace

AuthMethod auth_method(const http::Request& request) {
    if (authorization_of(request) != nullptr) return AuthMethod::header;
    const std::vector<QueryParam> query = parse_query(request.query());
    if (has_presigned_params(query)) return AuthMethod::presigned;
    if (has_v2_presigned_params(query)) return AuthMethod::unsupported;
    return AuthMethod::anonymous;
}

AuthResult verify_request(const http::Request& request, const SecretKeyLookup& secret_for,
                          std::chrono::system_clock::time_point now, const VerifierOptions& options) {
    const std::vector<QueryParam> query = parse_query(request.query());
    const std::string* authorization = authorization_of(request);
    const bool presigned = has_presigned_params(query);

    std::variant<Claim, Error> claim = Error{};
    if (authorization != nullptr && presigned) {
        return error(ErrorCode::invalid_argument,
                     "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
                     "Authorization header should be specified");
    } else if (authorization != nullptr) {
        claim = header_claim(request, *authorization, now, options);
    } else if (presigned) {
        claim = presigned_claim(request, query, now, options);
    } else if (has_v2_presigned_params(query)) {
        return error(ErrorCode::invalid_request,
                     "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    } else {
        return error(ErrorCode::access_denied, "Anonymous access is not allowed: sign the request with AWS "
                                               "Signature Version 4");
    }
    if (auto* e = std::get_if<Error>(&claim)) return std::move(*e);
    return verify_claim(request, query, std::move(std::get<Claim>(claim)), secret_for, options);
}

std::optional<Error> check_payload_sha256(const Authenticated& auth, const hash::Sha256::Digest& body_sha256) {
    if (auth.payload_mode != PayloadMode::sha256 || !auth.payload_sha256) return std::nullopt;
    if (*auth.payload_sha256 == body_sha256) return std::nullopt;
    return error(ErrorCode::x_amz_content_sha256_mismatch,
                 "The provided 'x-amz-content-sha256' header does not match what was computed: declared " +
                     hash::hex_encode(*auth.payload_sha256) + ", computed " + hash::hex_encode(body_sha256));
}

}  // namespace shoal::auth
