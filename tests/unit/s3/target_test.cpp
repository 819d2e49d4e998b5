#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "core/http/request_parser.hpp"
#include "core/s3/error.hpp"
#include "core/s3/target.hpp"

using namespace shoal;

namespace {

http::Request get(const std::string& target, const std::string& host = "s3.local") {
    const std::string wire = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    http::ParseResult parsed = http::parse_request_head(wire, http::Limits{});
    REQUIRE(std::holds_alternative<http::Request>(parsed));
    return std::get<http::Request>(std::move(parsed));
}

std::string error_code(const http::Request& request) {
    try {
        s3::parse_target(request, {"s3.example.com"});
    } catch (const s3::S3Error& e) {
        return e.code();
    }
    return "no error";
}

}  // namespace

TEST_CASE("path-style targets name a bucket, a key and decoded parameters", "[s3]") {
    const s3::Target t = s3::parse_target(get("/photos/2024/a%20b+c.jpg?versionId=3&acl&x=a+b%2B"), {});
    CHECK(t.bucket == "photos");
    CHECK(t.key == "2024/a b+c.jpg");
    REQUIRE(t.query.size() == 3);
    CHECK(*t.param("versionId") == "3");
    CHECK(t.has("acl"));
    CHECK(*t.param("x") == "a b+");

    const s3::Target service = s3::parse_target(get("/"), {});
    CHECK(service.bucket.empty());
    CHECK(service.key.empty());
    const s3::Target bucket = s3::parse_target(get("/photos/"), {});
    CHECK(bucket.bucket == "photos");
    CHECK(bucket.key.empty());
}

TEST_CASE("virtual-hosted targets take the bucket from the Host header", "[s3]") {
    const s3::Target t = s3::parse_target(get("//double", "photos.s3.example.com:9000"), {"s3.example.com"});
    CHECK(t.bucket == "photos");
    CHECK(t.key == "/double");
}

// Found by tests/fuzz/s3_target_fuzzer: the domain was compared case-sensitively,
// so "Host: photos.S3.Example.com" fell back to path style (bucket from the path).
TEST_CASE("virtual-hosted domains match whatever the Host's case", "[s3]") {
    const s3::Target t = s3::parse_target(get("/k", "photos.S3.EXAMPLE.com"), {"s3.example.com"});
    CHECK(t.bucket == "photos");
    CHECK(t.key == "k");
}

TEST_CASE("undecodable targets are InvalidURI", "[s3]") {
    CHECK(error_code(get("/b/%zz")) == "InvalidURI");
    CHECK(error_code(get("/b/k?x=%4")) == "InvalidURI");
}

// Found by tests/fuzz/s3_target_fuzzer: "//key" parsed as no bucket and a key,
// so that GET //key was answered with ListBuckets.
TEST_CASE("a path-style target with an empty bucket name is refused", "[s3]") {
    CHECK(error_code(get("//key")) == "InvalidBucketName");
    CHECK(error_code(get("//")) == "InvalidBucketName");
    CHECK(error_code(get("/%2Fkey")) == "InvalidBucketName");
}
