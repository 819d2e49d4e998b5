#include <catch2/catch.hpp>

#include <string>

#include "core/s3/conditions.hpp"
#include "core/s3/copy_source.hpp"
#include "core/s3/error.hpp"

using namespace shoal::s3;

namespace {

std::string error_code(const std::string& header) {
    try {
        parse_copy_source(header);
    } catch (const S3Error& e) {
        return e.code();
    }
    return "no error";
}

}  // namespace

TEST_CASE("copy sources name a bucket, a URL-encoded key and maybe a version", "[s3]") {
    CopySource s = parse_copy_source("/src-bucket/dir/a%20b%2Bc+d%3Fe");
    CHECK(s.bucket == "src-bucket");
    CHECK(s.key == "dir/a b+c+d?e");  // a path: '+' is a plus
    CHECK_FALSE(s.version_id);

    s = parse_copy_source("src-bucket/k%C3%A9y?versionId=0001A2B3C4D5E6F7");
    CHECK(s.key == "k\xc3\xa9y");
    CHECK(s.version_id == "0001A2B3C4D5E6F7");
    CHECK(parse_copy_source("/b-1/k?versionId=null").version_id == "null");
    CHECK(parse_copy_source("/b-1/%2Fleading//slashes/").key == "/leading//slashes/");
}

TEST_CASE("malformed copy sources are refused", "[s3]") {
    CHECK(error_code("") == "InvalidArgument");
    CHECK(error_code("/bucket") == "InvalidArgument");
    CHECK(error_code("/bucket/") == "InvalidArgument");
    CHECK(error_code("//key") == "InvalidArgument");
    CHECK(error_code("/bucket/a%zz") == "InvalidArgument");
    CHECK(error_code("/bucket/k?versionId=") == "InvalidArgument");
    CHECK(error_code("/bucket/k?other=1") == "InvalidArgument");
    CHECK(error_code("/bucket/k%00") == "InvalidArgument");
    CHECK(error_code("/bucket/" + std::string(1025, 'k')) == "InvalidArgument");
    CHECK(error_code("/Bad_Bucket/k") == "InvalidBucketName");
    CHECK(error_code("arn:aws:s3:us-east-1:123:accesspoint/ap/object/k") == "InvalidBucketName");
}

TEST_CASE("copy-source conditions combine as S3 combines them", "[s3]") {
    const std::string etag = "0123abcd";
    const std::uint64_t modified = 1700000000500;  // 2023-11-14T22:13:20.5Z
    const std::string match = "\"0123abcd\"", other = "\"ffff\"";
    const std::string before = "Tue, 14 Nov 2023 22:13:19 GMT", same = "Tue, 14 Nov 2023 22:13:20 GMT",
                      after = "Tue, 14 Nov 2023 22:13:21 GMT", garbage = "yesterday";
    const auto holds = [&](const std::string* m, const std::string* nm, const std::string* ms,
                           const std::string* us) {
        return copy_source_conditions_hold(CopySourceConditions{m, nm, ms, us}, etag, modified);
    };
    CHECK(holds(nullptr, nullptr, nullptr, nullptr));
    CHECK(holds(&match, nullptr, nullptr, nullptr));
    CHECK_FALSE(holds(&other, nullptr, nullptr, nullptr));
    CHECK(holds(nullptr, &other, nullptr, nullptr));
    CHECK_FALSE(holds(nullptr, &match, nullptr, nullptr));
    CHECK(holds(nullptr, nullptr, &before, nullptr));
    CHECK_FALSE(holds(nullptr, nullptr, &same, nullptr));  // whole seconds: not modified since
    CHECK(holds(nullptr, nullptr, nullptr, &same));
    CHECK_FALSE(holds(nullptr, nullptr, nullptr, &before));
    CHECK(holds(nullptr, nullptr, &garbage, &garbage));  // dates that do not parse are ignored
    // if-match true wins over if-unmodified-since false.
    CHECK(holds(&match, nullptr, nullptr, &before));
    CHECK_FALSE(holds(&other, nullptr, nullptr, &after));
    // if-none-match false fails even though if-modified-since holds...
    CHECK_FALSE(holds(nullptr, &match, &before, nullptr));
    // ...and if-none-match true wins over if-modified-since false.
    CHECK(holds(nullptr, &other, &after, nullptr));
    CHECK(holds(nullptr, nullptr, nullptr, nullptr));
    const std::string list = "\"x\", W/\"0123abcd\"", star = "*";
    CHECK(etag_matches(list, etag));
    CHECK(etag_matches(star, etag));
    CHECK_FALSE(etag_matches("\"0123abc\"", etag));
}
