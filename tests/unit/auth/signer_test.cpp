#include <catch2/catch.hpp>

#include "auth_test_support.hpp"
#include "core/auth/chunked_payload_decoder.hpp"
#include "core/auth/chunked_payload_encoder.hpp"
#include "core/auth/signer.hpp"
#include "core/hash/encoding.hpp"

using namespace shoal::auth;
using namespace shoal::auth::test;
using namespace std::chrono_literals;

namespace {

SigningParams example_params() {
    SigningParams p;
    p.credentials = {std::string(kAccessKey), std::string(kSecretKey)};
    p.time = std::chrono::floor<std::chrono::seconds>(example_time());
    return p;
}

shoal::http::Request unsigned_request(std::string method, std::string target, std::string host) {
    shoal::http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers.push_back({"Host", std::move(host)});
    return r;
}

std::string hex_sha256(std::string_view data) { return shoal::hash::hex_encode(shoal::hash::sha256(data)); }

}  // namespace

TEST_CASE("the signer reproduces the AWS GET Object example", "[auth]") {
    shoal::http::Request r = unsigned_request("GET", "/test.txt", "examplebucket.s3.amazonaws.com");
    r.headers.push_back({"Range", "bytes=0-9"});
    const StreamingContext ctx = sign_request(r, example_params(), kEmptySha256);
    CHECK(*r.header("Authorization") ==
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
          "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    CHECK(*r.header("x-amz-date") == "20130524T000000Z");
    CHECK(ctx.seed_signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    verify_ok(r);
}

TEST_CASE("the signer reproduces the AWS presigned URL example", "[auth]") {
    CHECK(presign("GET", "/test.txt", "examplebucket.s3.amazonaws.com", example_params(), 86400s) ==
          "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
          "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
          "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST_CASE("what the signer signs, the verifier accepts (header form)", "[auth]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"GET", "/bucket/key"},
        {"GET", "/bucket?list-type=2&prefix=photos%2F2024%2F&delimiter=%2F&max-keys=1000"},
        {"PUT", "/bucket/a%20key%20with%20spaces%2Band%2Bplus"},
        {"PUT", "/bucket/caf%C3%A9/%E2%82%AC.txt?uploadId=abc&partNumber=3"},
        {"DELETE", "/bucket/dir//x/./y"},
        {"POST", "/bucket?delete"},
        {"GET", "/bucket/k?response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22"},
    };
    for (const auto& [method, target] : cases) {
        INFO(method << " " << target);
        shoal::http::Request r = unsigned_request(method, target, "127.0.0.1:9000");
        r.headers.push_back({"Content-Type", "text/plain;  charset=utf-8"});
        r.headers.push_back({"x-amz-meta-note", "  spaced   out  "});
        r.headers.push_back({"User-Agent", "shoal-test"});
        sign_request(r, example_params(), hex_sha256("body"));
        const Authenticated a = verify_ok(r, example_time() + 5min);
        CHECK(a.payload_mode == PayloadMode::sha256);
        CHECK_FALSE(check_payload_sha256(a, shoal::hash::sha256("body")).has_value());
        // User-Agent is not signed: changing it is harmless; changing a signed header is not.
        r.headers[3].value = "other-agent";
        verify_ok(r, example_time());
        r.headers[2].value = "changed";
        CHECK(verify_error(r) == ErrorCode::signature_does_not_match);
    }
}

TEST_CASE("what the signer presigns, the verifier accepts (query form)", "[auth]") {
    SigningParams p = example_params();
    p.region = "garage";
    VerifierOptions options;
    options.region = "garage";
    for (std::string target : {"/bucket/key", "/bucket/a%2Bb%20c?versionId=3", "/bucket?uploads"}) {
        INFO(target);
        const std::string url = presign("PUT", target, "s3.local:9000", p, 3600s);
        shoal::http::Request r = unsigned_request("PUT", url, "s3.local:9000");
        const Authenticated a = verify_ok(r, example_time() + 10min, options);
        CHECK(a.method == AuthMethod::presigned);
        CHECK(verify_error(r, example_time() + 3601s, options) == ErrorCode::access_denied);
        r.method = "GET";
        CHECK(verify_error(r, example_time(), options) == ErrorCode::signature_does_not_match);
    }
}

TEST_CASE("the encoder reproduces the AWS chunked upload example", "[auth]") {
    StreamingContext ctx;
    ctx.key = derive_signing_key(kSecretKey, {"20130524", "us-east-1", "s3"});
    ctx.amz_date = "20130524T000000Z";
    ctx.scope = "20130524/us-east-1/s3/aws4_request";
    ctx.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    ChunkedPayloadEncoder enc(PayloadMode::streaming_signed, ctx);
    std::string body = enc.chunk(std::string(65536, 'a'));  // one call per statement: the chain has an order
    body += enc.chunk(std::string(1024, 'a'));
    body += enc.finish();
    CHECK(body.size() == 66824);
    CHECK(ChunkedPayloadEncoder::encoded_length(PayloadMode::streaming_signed, 66560, 65536) == 66824);
    CHECK(body.find("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") != std::string::npos);
    CHECK(body.substr(body.size() - 86) ==
          "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
}

TEST_CASE("signed, encoded, decoded: every streaming mode round-trips", "[auth]") {
    std::string payload;
    for (int i = 0; i < 50000; ++i) payload += static_cast<char>('a' + i % 26);
    const std::vector<shoal::http::Header> checksum = {{"x-amz-checksum-crc32", "AAAAAA=="}};
    for (PayloadMode mode : {PayloadMode::streaming_signed, PayloadMode::streaming_signed_trailer,
                             PayloadMode::streaming_unsigned_trailer}) {
        INFO(payload_mode_literal(mode));
        const std::vector<shoal::http::Header> trailers = has_trailer(mode) ? checksum : std::vector<shoal::http::Header>{};
        const std::uint64_t chunk = 8192;
        const std::uint64_t length = ChunkedPayloadEncoder::encoded_length(mode, payload.size(), chunk, trailers);

        shoal::http::Request r = unsigned_request("PUT", "/bucket/object", "127.0.0.1:9000");
        r.headers.push_back({"Content-Encoding", "aws-chunked"});
        r.headers.push_back({"Content-Length", std::to_string(length)});
        r.headers.push_back({"x-amz-decoded-content-length", std::to_string(payload.size())});
        if (has_trailer(mode)) r.headers.push_back({"x-amz-trailer", "x-amz-checksum-crc32"});
        const StreamingContext ctx = sign_request(r, example_params(), payload_mode_literal(mode));

        ChunkedPayloadEncoder enc(mode, ctx);
        std::string body;
        for (std::size_t i = 0; i < payload.size(); i += chunk) {
            body += enc.chunk(std::string_view(payload).substr(i, chunk));
        }
        body += enc.finish(trailers);
        CHECK(body.size() == length);

        const Authenticated a = verify_ok(r);
        CHECK(a.payload_mode == mode);
        for (std::size_t step : {0u, 1u, 333u}) {
            ChunkedPayloadDecoder d(a);
            std::string out;
            for (std::size_t i = 0; i < body.size(); i += step ? step : body.size()) {
                REQUIRE_FALSE(d.feed(std::string_view(body).substr(i, step ? step : body.size()), out).has_value());
            }
            REQUIRE_FALSE(d.finish().has_value());
            CHECK(out == payload);
            CHECK(d.trailers().size() == trailers.size());
        }
    }
}
