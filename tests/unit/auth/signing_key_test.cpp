#include <catch2/catch.hpp>

#include "core/auth/amz_date.hpp"
#include "core/auth/signing_key.hpp"
#include "core/auth/streaming_signature.hpp"
#include "core/hash/encoding.hpp"

using namespace shoal::auth;

TEST_CASE("the signing key derives from the secret and the scope", "[auth]") {
    const CredentialScope scope{"20130524", "us-east-1", "s3"};
    CHECK(scope.to_string() == "20130524/us-east-1/s3/aws4_request");
    const SigningKey key = derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", scope);
    CHECK(shoal::hash::hex_encode(key) == "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
    // The AWS GET Object example's string to sign gives its signature.
    CHECK(sign(key, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972") ==
          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    CHECK(derive_signing_key("other", scope) != key);
    CHECK(derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {"20130525", "us-east-1", "s3"}) != key);
}

TEST_CASE("chunk signatures chain from the seed (AWS streaming example)", "[auth]") {
    StreamingContext ctx;
    ctx.key = derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {"20130524", "us-east-1", "s3"});
    ctx.amz_date = "20130524T000000Z";
    ctx.scope = "20130524/us-east-1/s3/aws4_request";
    const std::string seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const std::string first = chunk_signature(ctx, seed, shoal::hash::sha256(std::string(65536, 'a')));
    CHECK(first == "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
    const std::string second = chunk_signature(ctx, first, shoal::hash::sha256(std::string(1024, 'a')));
    CHECK(second == "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
    CHECK(chunk_signature(ctx, second, shoal::hash::sha256("")) ==
          "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
}

TEST_CASE("the trailer signature covers the canonical trailer (AWS trailer example)", "[auth]") {
    StreamingContext ctx;
    ctx.key = derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {"20130524", "us-east-1", "s3"});
    ctx.amz_date = "20130524T000000Z";
    ctx.scope = "20130524/us-east-1/s3/aws4_request";
    CHECK(trailer_signature(ctx, "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
                            "x-amz-checksum-crc32c:sOO8/Q==\n") ==
          "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435");
}

TEST_CASE("signatures compare equal only when identical", "[auth]") {
    CHECK(signatures_equal("abc", "abc"));
    CHECK_FALSE(signatures_equal("abc", "abd"));
    CHECK_FALSE(signatures_equal("abc", "abcd"));
    CHECK(signatures_equal("", ""));
}

TEST_CASE("SigV4 timestamps parse strictly and format back", "[auth]") {
    const auto t = parse_amz_date("20130524T000000Z");
    REQUIRE(t.has_value());
    CHECK(format_amz_date(*t) == "20130524T000000Z");
    CHECK(format_scope_date(*t) == "20130524");
    CHECK(parse_http_date("Fri, 24 May 2013 00:00:00 GMT") == t);
    const auto later = parse_amz_date("20991231T235959Z");
    REQUIRE(later.has_value());
    CHECK(format_amz_date(*later) == "20991231T235959Z");  // past 2038 on 32-bit targets too
    CHECK(parse_amz_date("20240229T120000Z").has_value());

    for (const char* bad : {"", "20130524", "20130524T000000", "20130524T000000z", "2013-05-24T00:00:00Z",
                            "20130230T000000Z", "20131324T000000Z", "20130524T240000Z", "20130524T006000Z",
                            "20130524T000060Z", "2013052AT000000Z", "20230229T000000Z", "20130524T000000ZZ"}) {
        INFO(bad);
        CHECK_FALSE(parse_amz_date(bad).has_value());
    }
    for (const char* bad : {"Fri, 24 May 2013 00:00:00 UTC", "Fri, 24 Mai 2013 00:00:00 GMT",
                            "Fri 24 May 2013 00:00:00 GMT", "Fri, 31 Jun 2013 00:00:00 GMT",
                            "Xyz, 24 May 2013 00:00:00 GMT", "Friday, 24-May-13 00:00:00 GMT"}) {
        INFO(bad);
        CHECK_FALSE(parse_http_date(bad).has_value());
    }
}
