#include <catch2/catch.hpp>

#include "auth_test_support.hpp"
#include "core/auth/authorization.hpp"
#include "core/auth/payload_mode.hpp"
#include "core/auth/presigned.hpp"

using namespace shoal::auth;

namespace {

constexpr const char* kSig = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

ErrorCode header_error(std::string_view value) {
    auto result = parse_authorization_header(value);
    if (std::holds_alternative<SignatureParams>(result)) FAIL("parsed: " << value);
    return std::get<Error>(result).code;
}

}  // namespace

TEST_CASE("the Authorization header's three components parse, with or without spaces", "[auth]") {
    for (std::string value :
         {std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                      "SignedHeaders=host;range;x-amz-date, Signature=") + kSig,
          std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      "SignedHeaders=host;range;x-amz-date,Signature=") + kSig,
          std::string("AWS4-HMAC-SHA256 Signature=") + kSig +
              ",SignedHeaders=host;range;x-amz-date, Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"}) {
        INFO(value);
        auto result = parse_authorization_header(value);
        REQUIRE(std::holds_alternative<SignatureParams>(result));
        const SignatureParams& p = std::get<SignatureParams>(result);
        CHECK(p.credential.access_key == "AKIAIOSFODNN7EXAMPLE");
        CHECK(p.credential.scope.date == "20130524");
        CHECK(p.credential.scope.region == "us-east-1");
        CHECK(p.credential.scope.service == "s3");
        CHECK(p.signed_headers == "host;range;x-amz-date");
        CHECK(p.signed_header_names == std::vector<std::string>{"host", "range", "x-amz-date"});
        CHECK(p.signature == kSig);
    }
}

TEST_CASE("malformed Authorization headers are AuthorizationHeaderMalformed", "[auth]") {
    const std::string cred = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
    const std::string sh = "SignedHeaders=host;x-amz-date";
    const std::string sig = std::string("Signature=") + kSig;
    const std::string algo = "AWS4-HMAC-SHA256 ";
    for (const std::string& bad : {
             std::string("AWS4-HMAC-SHA256"),
             algo,
             algo + cred + ", " + sh,                              // no signature
             algo + sh + ", " + sig,                               // no credential
             algo + cred + ", " + sig,                             // no signed headers
             algo + cred + ", " + sh + ", " + sig + ", " + sig,    // repeated
             algo + cred + ", " + sh + ", " + sig + ", Foo=bar",   // unknown component
             algo + cred + " " + sh + " " + sig,                   // no commas
             algo + cred + ", " + sh + ", Signature=abc",          // short signature
             algo + cred + ", " + sh + ", Signature=" + std::string(64, 'g'),
             algo + cred + ", SignedHeaders=, " + sig,
             algo + cred + ", SignedHeaders=host;;x-amz-date, " + sig,
             algo + cred + ", SignedHeaders=host;host, " + sig,
             algo + cred + ", SignedHeaders=host;x amz, " + sig,
             algo + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3, " + sh + ", " + sig,
             algo + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request/x, " + sh + ", " + sig,
             algo + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request, " + sh + ", " + sig,
             algo + "Credential=AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/aws4_request, " + sh + ", " + sig,
             algo + "Credential=AKIAIOSFODNN7EXAMPLE/20130532/us-east-1/s3/aws4_request, " + sh + ", " + sig,
             algo + "Credential=/20130524/us-east-1/s3/aws4_request, " + sh + ", " + sig,
             algo + "Credential=AKIAIOSFODNN7EXAMPLE/20130524//s3/aws4_request, " + sh + ", " + sig,
             std::string("AWS4-HMAC-SHA512 ") + cred + ", " + sh + ", " + sig,
             std::string("Bearer abc"),
             std::string(""),
         }) {
        INFO(bad);
        CHECK(header_error(bad) == ErrorCode::authorization_header_malformed);
    }
}

TEST_CASE("other signature algorithms are unsupported (InvalidRequest)", "[auth]") {
    CHECK(header_error("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=") == ErrorCode::invalid_request);
    CHECK(header_error("AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request") ==
          ErrorCode::invalid_request);
}

TEST_CASE("x-amz-content-sha256 declares one of the payload modes", "[auth]") {
    CHECK(parse_payload_declaration("UNSIGNED-PAYLOAD")->mode == PayloadMode::unsigned_payload);
    CHECK(parse_payload_declaration("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")->mode == PayloadMode::streaming_signed);
    CHECK(parse_payload_declaration("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")->mode ==
          PayloadMode::streaming_signed_trailer);
    CHECK(parse_payload_declaration("STREAMING-UNSIGNED-PAYLOAD-TRAILER")->mode ==
          PayloadMode::streaming_unsigned_trailer);
    const auto hashed = parse_payload_declaration(test::kEmptySha256);
    REQUIRE(hashed.has_value());
    CHECK(hashed->mode == PayloadMode::sha256);
    CHECK(hashed->sha256 == shoal::hash::sha256(""));
    for (const char* bad : {"", "unsigned-payload", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "UNSIGNED-PAYLOAD ",
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85z"}) {
        INFO(bad);
        CHECK_FALSE(parse_payload_declaration(bad).has_value());
    }
    CHECK(is_streaming(PayloadMode::streaming_unsigned_trailer));
    CHECK_FALSE(has_signed_chunks(PayloadMode::streaming_unsigned_trailer));
    CHECK(has_trailer(PayloadMode::streaming_signed_trailer));
    CHECK_FALSE(has_trailer(PayloadMode::streaming_signed));
}

TEST_CASE("presigned query parameters: all six, once each, well formed", "[auth]") {
    const std::string good =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
        "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=" +
        std::string(kSig);
    auto parsed = parse_presigned_params(parse_query(good));
    REQUIRE(std::holds_alternative<PresignedParams>(parsed));
    const PresignedParams& p = std::get<PresignedParams>(parsed);
    CHECK(p.signature.credential.access_key == "AKIAIOSFODNN7EXAMPLE");
    CHECK(p.amz_date == "20130524T000000Z");
    CHECK(p.expires == std::chrono::seconds(86400));
    CHECK(p.signature.signed_header_names == std::vector<std::string>{"host"});

    const auto replace = [&](std::string_view from, std::string_view to) {
        std::string s = good;
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    for (const std::string& bad : {
             replace("X-Amz-Expires=86400&", ""),
             replace("X-Amz-Date=20130524T000000Z&", ""),
             replace("X-Amz-SignedHeaders=host&", ""),
             replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
             replace("86400", "604801"),
             replace("86400", "-1"),
             replace("86400", "1e3"),
             replace("86400", ""),
             replace("20130524T000000Z", "2013-05-24"),
             replace("%2Fs3%2F", "%2F"),
             replace("host", "host;host"),
             good + "&X-Amz-Date=20130524T000000Z",
             replace(kSig, "xyz"),
         }) {
        INFO(bad);
        auto result = parse_presigned_params(parse_query(bad));
        REQUIRE(std::holds_alternative<Error>(result));
        CHECK(std::get<Error>(result).code == ErrorCode::authorization_query_parameters_error);
    }
    CHECK(std::holds_alternative<PresignedParams>(parse_presigned_params(parse_query(replace("86400", "604800")))));
}
