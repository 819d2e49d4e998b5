#include <catch2/catch.hpp>

#include "core/auth/canonical_request.hpp"
#include "core/auth/uri_encode.hpp"
#include "core/hash/encoding.hpp"
#include "core/hash/sha256.hpp"

using namespace shoal::auth;

TEST_CASE("uri_encode keeps only the unreserved characters", "[auth]") {
    CHECK(uri_encode("AZaz09-_.~") == "AZaz09-_.~");
    CHECK(uri_encode("a b+c/d") == "a%20b%2Bc%2Fd");
    CHECK(uri_encode("a/b", /*keep_slash=*/true) == "a/b");
    CHECK(uri_encode("!*'()$&=") == "%21%2A%27%28%29%24%26%3D");
    CHECK(uri_encode("\xc3\xa9\x01\xff") == "%C3%A9%01%FF");  // bytes, uppercase hex
}

TEST_CASE("uri_decode decodes valid escapes and keeps the rest", "[auth]") {
    CHECK(uri_decode("a%2Fb%2fc", false) == "a/b/c");
    CHECK(uri_decode("a+b", false) == "a+b");
    CHECK(uri_decode("a+b", true) == "a b");
    CHECK(uri_decode("100%", false) == "100%");
    CHECK(uri_decode("%zz%4", false) == "%zz%4");
    CHECK(uri_decode("%00", false) == std::string(1, '\0'));
}

TEST_CASE("canonical URI: the path as sent, escapes made canonical, never normalised", "[auth]") {
    CHECK(canonical_uri("") == "/");
    CHECK(canonical_uri("/") == "/");
    CHECK(canonical_uri("/test.txt") == "/test.txt");
    CHECK(canonical_uri("/test$file.text") == "/test%24file.text");     // the AWS PUT example
    CHECK(canonical_uri("/test%24file.text") == "/test%24file.text");   // not double-encoded
    CHECK(canonical_uri("/a%2fb/c") == "/a%2Fb/c");                    // an escaped slash stays escaped
    CHECK(canonical_uri("/%7Euser/%41") == "/~user/A");                 // needless escapes undone
    CHECK(canonical_uri("/a//b/./c/../d") == "/a//b/./c/../d");         // S3: no normalisation
    CHECK(canonical_uri("/photos/my photo+1.jpg") == "/photos/my%20photo%2B1.jpg");
    CHECK(canonical_uri("/100%") == "/100%25");                         // a stray '%' is a byte
    CHECK(canonical_uri("/caf%C3%A9") == "/caf%C3%A9");
}

TEST_CASE("canonical query: decoded, re-encoded, sorted by name then value", "[auth]") {
    CHECK(canonical_query_string(parse_query("")) == "");
    CHECK(canonical_query_string(parse_query("lifecycle")) == "lifecycle=");
    CHECK(canonical_query_string(parse_query("prefix=J&max-keys=2")) == "max-keys=2&prefix=J");
    CHECK(canonical_query_string(parse_query("b=2&a=3&a=1&A=0")) == "A=0&a=1&a=3&b=2");
    CHECK(canonical_query_string(parse_query("prefix=a%2Fb&delimiter=/")) == "delimiter=%2F&prefix=a%2Fb");
    CHECK(canonical_query_string(parse_query("k=a+b&j=a%20b&i=a%2Bb")) == "i=a%2Bb&j=a%20b&k=a%20b");
    CHECK(canonical_query_string(parse_query("&&x=1&&")) == "x=1");
    CHECK(canonical_query_string(parse_query("v=%7e%21")) == "v=~%21");
    // Sorting is on the encoded bytes: '%' (0x25) sorts before letters.
    CHECK(canonical_query_string(parse_query("a=z&a=%20")) == "a=%20&a=z");
    CHECK(canonical_query_string(parse_query("X-Amz-Signature=abc&X-Amz-Date=1"), "X-Amz-Signature") ==
          "X-Amz-Date=1");
}

TEST_CASE("canonical header values are trimmed and inner whitespace collapsed", "[auth]") {
    CHECK(canonical_header_value("  a   b \t c  ") == "a b c");
    CHECK(canonical_header_value("") == "");
    CHECK(canonical_header_value("\t") == "");
    const std::vector<shoal::http::Header> headers = {
        {"Host", "example.com"}, {"X-Amz-Meta-A", "one  two"}, {"x-amz-meta-a", "three"}, {"Other", "x"}};
    CHECK(canonical_headers(headers, {"host", "x-amz-meta-a"}) == "host:example.com\nx-amz-meta-a:one two,three\n");
    CHECK(canonical_headers(headers, {"missing"}) == "missing:\n");
}

TEST_CASE("the AWS GET Object example's canonical request and string to sign", "[auth]") {
    const std::vector<shoal::http::Header> headers = {
        {"Host", "examplebucket.s3.amazonaws.com"},
        {"Range", "bytes=0-9"},
        {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"x-amz-date", "20130524T000000Z"},
    };
    const std::string canonical = canonical_request(
        "GET", canonical_uri("/test.txt"), canonical_query_string(parse_query("")),
        canonical_headers(headers, {"host", "range", "x-amz-content-sha256", "x-amz-date"}),
        "host;range;x-amz-content-sha256;x-amz-date",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(canonical ==
          "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
          "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
          "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(shoal::hash::hex_encode(shoal::hash::sha256(canonical)) ==
          "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    CHECK(string_to_sign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical) ==
          "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
          "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}
