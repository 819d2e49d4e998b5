#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/s3/error.hpp"
#include "core/s3/range.hpp"

using namespace shoal::s3;

namespace {

std::optional<ByteRange> range(const std::string& header, std::uint64_t size) { return parse_range(&header, size); }

bool unsatisfiable(const std::string& header, std::uint64_t size) {
    try {
        range(header, size);
    } catch (const S3Error& e) {
        return e.status() == 416 && e.code() == "InvalidRange";
    }
    return false;
}

}  // namespace

TEST_CASE("Range headers select bytes inside the object", "[s3]") {
    auto r = range("bytes=0-9", 100);
    REQUIRE(r);
    CHECK(r->first == 0);
    CHECK(r->length == 10);
    r = range("bytes=90-200", 100);
    REQUIRE(r);
    CHECK(r->first == 90);
    CHECK(r->length == 10);
    r = range("bytes=95-", 100);
    REQUIRE(r);
    CHECK(r->length == 5);
    r = range("bytes=-500", 100);
    REQUIRE(r);
    CHECK(r->first == 0);
    CHECK(r->length == 100);
}

TEST_CASE("Range headers S3 ignores serve the whole object", "[s3]") {
    CHECK_FALSE(parse_range(nullptr, 10));
    CHECK_FALSE(range("bytes=0-1,4-5", 10));
    CHECK_FALSE(range("bytes=5-1", 10));
    CHECK_FALSE(range("items=0-1", 10));
    CHECK_FALSE(range("bytes=a-", 10));
}

TEST_CASE("unsatisfiable ranges are 416 InvalidRange", "[s3]") {
    CHECK(unsatisfiable("bytes=10-", 10));
    CHECK(unsatisfiable("bytes=-0", 10));
    CHECK(unsatisfiable("bytes=0-0", 0));
    CHECK(unsatisfiable("bytes=18446744073709551615-", 10));
}

TEST_CASE("copy-source ranges are exact byte ranges within the source", "[s3]") {
    const ByteRange r = parse_copy_range("bytes=10-19", 100);
    CHECK(r.first == 10);
    CHECK(r.length == 10);
    CHECK(parse_copy_range("bytes=99-99", 100).length == 1);
    CHECK(parse_copy_range("bytes=0-99", 100).length == 100);
    const auto code = [](const std::string& header, std::uint64_t size) -> std::string {
        try {
            parse_copy_range(header, size);
        } catch (const S3Error& e) {
            return e.code() + "/" + std::to_string(e.status());
        }
        return "no error";
    };
    CHECK(code("bytes=0-100", 100) == "InvalidRange/416");
    CHECK(code("bytes=100-100", 100) == "InvalidRange/416");
    CHECK(code("bytes=0-0", 0) == "InvalidRange/416");
    for (const char* bad : {"bytes=5-", "bytes=-5", "bytes=9-3", "bytes=1-2,4-5", "bits=1-2", "bytes=a-b", "bytes=1",
                            "", "bytes=+1-2"}) {
        CHECK(code(bad, 100) == "InvalidArgument/400");
    }
}
