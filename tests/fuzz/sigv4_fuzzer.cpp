// SigV4 verification (Authorization header and presigned URLs) through
// verify_request(), with a fixed key store and clock (the AWS examples':
// AKIAIOSFODNN7EXAMPLE, 2013-05-24T00:00:00Z). The first byte chooses:
//
// - raw: the rest is a request head (the AWS examples are in the corpus);
// - header / presigned: a request is built from the input (method, path,
//   query, headers, payload hash, time) and signed with the client signer,
//   then 1-3 mutations are applied to its bytes. The signed request must
//   verify; a mutated one that still verifies must mean the same to S3:
//   method, bucket, key, query parameters, and the values of the signed and
//   x-amz-* headers (as SigV4 canonicalises them).
//
// Always: no crash or leak; an accepted request fails with another secret;
// error messages for the client never carry the secret, nor a signature the
// request did not contain.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/auth/authorization.hpp"
#include "core/auth/canonical_request.hpp"
#include "core/auth/payload_mode.hpp"
#include "core/auth/presigned.hpp"
#include "core/auth/signer.hpp"
#include "core/auth/sigv4_verifier.hpp"
#include "core/auth/uri_encode.hpp"
#include "core/http/request_parser.hpp"
#include "core/s3/error.hpp"
#include "core/s3/target.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;
using namespace std::chrono_literals;

constexpr std::string_view kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::optional<std::string> secret_for(std::string_view access_key) {
    if (access_key == kAccessKey) return std::string(kSecretKey);
    return std::nullopt;
}

std::optional<std::string> other_secret_for(std::string_view access_key) {
    if (access_key == kAccessKey) return std::string("another secret key of the same access key");
    return std::nullopt;
}

std::chrono::system_clock::time_point now() {
    using namespace std::chrono;
    return system_clock::time_point{sys_days{year{2013} / May / 24}.time_since_epoch()};
}

bool is_hex(char c) { return auth::hex_digit_value(c) >= 0; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// The request as text, and with its escapes decoded (a signature may be sent escaped).
std::string sent_text(std::string_view wire) { return lower(wire) + "\n" + lower(auth::uri_decode(wire, true)); }

// The client must learn nothing it did not send: no secret, no signature.
void check_error(const auth::Error& e, std::string_view wire) {
    FUZZ_CHECK(!e.message.empty(), "error without a message");
    const std::string sent = sent_text(wire);
    if (sent.find(lower(kSecretKey)) == std::string::npos) {  // (unless the request itself quotes it)
        FUZZ_CHECK(e.message.find(kSecretKey) == std::string::npos, e.message);
        FUZZ_CHECK(e.detail.find(kSecretKey) == std::string::npos, e.detail);
    }
    const std::string message = lower(e.message);
    for (std::size_t i = 0; i + 64 <= message.size();) {
        std::size_t run = 0;
        while (i + run < message.size() && is_hex(message[i + run])) ++run;
        if (run >= 64) {
            FUZZ_CHECK(sent.find(message.substr(i, run)) != std::string::npos,
                       "an error message shows a signature the request did not carry: " + e.message);
        }
        i += run + 1;
    }
}

std::optional<http::Request> parse(std::string_view wire) {
    http::ParseResult parsed = http::parse_request_head(wire, http::Limits{});
    if (auto* r = std::get_if<http::Request>(&parsed)) return std::move(*r);
    return std::nullopt;
}

// verify_request() and the checks that hold for every request.
std::optional<auth::Authenticated> verify(const http::Request& request, std::string_view wire) {
    auth::AuthResult result = auth::verify_request(request, secret_for, now());
    if (auto* e = std::get_if<auth::Error>(&result)) {
        check_error(*e, wire);
        return std::nullopt;
    }
    const auth::Authenticated& a = std::get<auth::Authenticated>(result);
    FUZZ_CHECK(a.access_key == kAccessKey, a.access_key);
    FUZZ_CHECK(a.method == auth::auth_method(request), "method");
    FUZZ_CHECK(a.method == auth::AuthMethod::header || a.method == auth::AuthMethod::presigned, "method");
    FUZZ_CHECK(a.scope.region == "us-east-1" && a.scope.service == "s3", a.scope.to_string());
    FUZZ_CHECK(a.streaming.seed_signature.size() == 64, a.streaming.seed_signature);
    FUZZ_CHECK(sent_text(wire).find(a.streaming.seed_signature) != std::string::npos, "seed signature not sent");
    const auto skew = a.request_time - std::chrono::floor<std::chrono::seconds>(now());
    FUZZ_CHECK(a.method == auth::AuthMethod::presigned || (skew <= 15min && skew >= -15min), "skew");
    FUZZ_CHECK(a.payload_mode != auth::PayloadMode::sha256 || a.payload_sha256.has_value(), "payload hash");

    auth::AuthResult other = auth::verify_request(request, other_secret_for, now());
    const auto* e = std::get_if<auth::Error>(&other);
    FUZZ_CHECK(e != nullptr && e->code == auth::ErrorCode::signature_does_not_match,
               "a request verified with two different secrets");
    return a;
}

// What a request means to S3, as far as its signature covers it.
struct Meaning {
    std::string method;
    std::string bucket;
    std::string key;
    std::vector<std::pair<std::string, std::string>> query;  // sorted
    std::map<std::string, std::string> first_values;         // what Target::param() returns
    std::map<std::string, std::string> headers;              // lowercase name -> canonical values

    bool operator==(const Meaning&) const = default;
};

std::optional<Meaning> meaning(const http::Request& r, const std::vector<std::string>& signed_names) {
    Meaning m;
    m.method = r.method;
    try {
        s3::Target t = s3::parse_target(r, {});
        m.bucket = std::move(t.bucket);
        m.key = std::move(t.key);
        for (auto& [name, value] : t.query) {
            if (name == "X-Amz-Signature") continue;  // what is being checked, not what it covers
            m.first_values.emplace(name, value);
            m.query.emplace_back(std::move(name), std::move(value));
        }
        std::sort(m.query.begin(), m.query.end());
    } catch (const s3::S3Error&) {
        return std::nullopt;  // S3 refuses it anyway
    }
    std::vector<std::string> names;
    for (const std::string& n : signed_names) names.push_back(lower(n));
    for (const http::Header& h : r.headers) {
        const std::string n = lower(h.name);
        if (n.rfind("x-amz-", 0) == 0) names.push_back(n);
    }
    for (const std::string& n : names) {
        std::string values = "<absent>";
        bool first = true;
        for (const http::Header& h : r.headers) {
            if (!http::iequals(h.name, n)) continue;
            if (first) values.clear();
            if (!first) values += ',';
            values += auth::canonical_header_value(h.value);
            first = false;
        }
        m.headers[n] = values;
    }
    return m;
}

std::string describe(const Meaning& m) {
    std::string out = m.method + " /" + m.bucket + "/" + m.key + " ?";
    for (const auto& [n, v] : m.query) out += n + "=" + v + "&";
    for (const auto& [n, v] : m.headers) out += " | " + n + ": " + v;
    return out;
}

// Bytes of a path segment or query component as a client may send them:
// unreserved characters raw or escaped, others escaped or (when harmless) raw.
std::string encode_component(FuzzedDataProvider& in, std::string_view bytes, std::string_view raw_ok) {
    std::string out;
    const auto mode = in.ConsumeIntegral<std::uint8_t>();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        const bool choose_raw = ((mode >> (i % 8)) & 1) == 0;
        if ((auth::is_unreserved(c) || raw_ok.find(c) != std::string_view::npos) && choose_raw) {
            out += c;
        } else if (mode & 0x80) {
            static constexpr char kLowerHex[] = "0123456789abcdef";
            out += '%';
            out += kLowerHex[static_cast<unsigned char>(c) >> 4];
            out += kLowerHex[static_cast<unsigned char>(c) & 15];
        } else {
            auth::append_escaped_byte(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

std::string field_value(std::string s) {
    for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f) c = ' ';
    }
    return s;
}

constexpr std::string_view kMethods[] = {"GET", "PUT", "HEAD", "DELETE", "POST"};
constexpr std::string_view kHosts[] = {"examplebucket.s3.amazonaws.com", "127.0.0.1:9000", "s3.local"};
constexpr std::string_view kExtraHeaders[] = {"Range",        "Content-Type", "x-amz-meta-color", "X-Amz-Meta-Color",
                                              "Content-MD5",  "If-Match",     "x-amz-storage-class",
                                              "x-amz-tagging", "Cache-Control", "User-Agent"};
constexpr std::string_view kQueryNames[] = {"versionId", "uploadId", "partNumber", "prefix", "delimiter",
                                            "max-keys",  "versioning", "delete",   "list-type", "a b+c/%"};

struct Built {
    std::string wire;
    std::vector<std::string> signed_names;
};

Built build(FuzzedDataProvider& in, bool presigned) {
    const std::string method(kMethods[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kMethods) - 1)]);
    std::string target = "/" + encode_component(in, in.ConsumeRandomLengthString(24), "!$&'()*+,;=:@");
    if (in.ConsumeBool()) target += "/" + encode_component(in, in.ConsumeRandomLengthString(48), "!$&'()*+,;=:@/");
    const std::size_t query_params = in.ConsumeIntegralInRange<std::size_t>(0, 4);
    for (std::size_t i = 0; i < query_params; ++i) {
        target += i == 0 ? '?' : '&';
        std::string name(kQueryNames[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kQueryNames) - 1)]);
        if (in.ConsumeBool()) name = in.ConsumeRandomLengthString(8);
        target += encode_component(in, name, "!$'()*,;:@/?");
        if (in.ConsumeBool()) target += "=" + encode_component(in, in.ConsumeRandomLengthString(16), "!$'()*,;:@/?+");
    }
    const std::string host(kHosts[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kHosts) - 1)]);

    http::Request request;
    request.method = method;
    request.target = target;
    request.headers.push_back({"Host", host});
    const std::size_t extras = in.ConsumeIntegralInRange<std::size_t>(0, 4);
    for (std::size_t i = 0; i < extras; ++i) {
        const std::string_view name = kExtraHeaders[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kExtraHeaders) - 1)];
        if (presigned && lower(name).rfind("x-amz-", 0) == 0) continue;  // would have to be signed
        request.headers.push_back({std::string(name), field_value(in.ConsumeRandomLengthString(24))});
    }

    auth::SigningParams params;
    params.credentials = {std::string(kAccessKey), std::string(kSecretKey)};
    Built built;
    if (presigned) {
        const std::int64_t expires = in.ConsumeIntegralInRange<std::int64_t>(1, auth::kMaxPresignedExpirySeconds);
        const std::int64_t age = in.ConsumeIntegralInRange<std::int64_t>(0, std::min<std::int64_t>(expires, 3600));
        params.time = std::chrono::floor<std::chrono::seconds>(now()) - std::chrono::seconds(age);
        request.target = auth::presign(method, target, host, params, std::chrono::seconds(expires));
        built.signed_names = {"host"};
    } else {
        params.time = std::chrono::floor<std::chrono::seconds>(now()) +
                      std::chrono::seconds(in.ConsumeIntegralInRange<int>(-890, 890));
        std::string payload_hash;
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
            case 0: payload_hash = "UNSIGNED-PAYLOAD"; break;
            case 1: payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; break;
            case 2:
                payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
                request.headers.push_back({"x-amz-decoded-content-length", std::to_string(in.ConsumeIntegral<std::uint16_t>())});
                break;
            default:
                payload_hash = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
                request.headers.push_back({"x-amz-decoded-content-length", std::to_string(in.ConsumeIntegral<std::uint16_t>())});
                request.headers.push_back({"x-amz-trailer", "x-amz-checksum-crc32"});
                break;
        }
        auth::sign_request(request, params, payload_hash);
        const auto parsed = auth::parse_authorization_header(*request.header("Authorization"));
        built.signed_names = std::get<auth::SignatureParams>(parsed).signed_header_names;
    }
    built.wire = request.method + " " + request.target + " HTTP/1.1\r\n";
    for (const http::Header& h : request.headers) built.wire += h.name + ": " + h.value + "\r\n";
    built.wire += "\r\n";
    return built;
}

void mutate(FuzzedDataProvider& in, std::string& wire) {
    const std::size_t end = wire.size() - 2;  // keep the blank line
    const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, end - 1);
    const auto byte = static_cast<char>(in.ConsumeIntegral<std::uint8_t>());
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
        case 0: wire[at] = byte; break;
        case 1: wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
        case 2: wire.erase(at, 1); break;
        case 3:  // flip the case of a letter
            if ((wire[at] >= 'a' && wire[at] <= 'z') || (wire[at] >= 'A' && wire[at] <= 'Z')) wire[at] ^= 0x20;
            break;
        case 4: {  // escape a byte
            std::string escaped;
            auth::append_escaped_byte(escaped, static_cast<unsigned char>(wire[at]));
            wire.replace(at, 1, escaped);
            break;
        }
        default: {  // a printable byte, or a space or tab
            constexpr std::string_view kBytes = " \t%+/?&=;:,.-_~";
            wire.insert(at, 1, kBytes[static_cast<unsigned char>(byte) % kBytes.size()]);
            break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const int form = in.ConsumeIntegralInRange<int>(0, 2);
    if (form == 0) {
        std::string wire = in.ConsumeRemainingBytesAsString();
        if (wire.size() < 4 || wire.compare(wire.size() - 4, 4, "\r\n\r\n") != 0) wire += "\r\n\r\n";
        if (const auto request = parse(wire)) (void)verify(*request, wire);
        return 0;
    }

    const Built built = build(in, form == 2);
    const auto request = parse(built.wire);
    FUZZ_CHECK(request.has_value(), "the generated request does not parse: " + built.wire);
    FUZZ_CHECK(verify(*request, built.wire).has_value(), "a correctly signed request was refused: " + built.wire);
    const auto original = meaning(*request, built.signed_names);

    std::string wire = built.wire;
    const std::size_t mutations = in.ConsumeIntegralInRange<std::size_t>(1, 3);
    for (std::size_t i = 0; i < mutations; ++i) mutate(in, wire);
    const auto mutated = parse(wire);
    if (!mutated || !verify(*mutated, wire)) return 0;
    const auto now_means = meaning(*mutated, built.signed_names);
    if (!original || !now_means) return 0;
    FUZZ_CHECK(*original == *now_means, "a changed request verified:\n" + built.wire + "\n" + wire + "\n" +
                                            describe(*original) + "\n" + describe(*now_means));
    return 0;
}
