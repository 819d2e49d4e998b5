#include <catch2/catch.hpp>

#include <string>

#include "core/s3/error.hpp"
#include "core/s3/tagging.hpp"
#include "core/s3/target.hpp"

using namespace shoal::s3;

namespace {

template <typename Parse>
std::string error_code(Parse parse) {
    try {
        parse();
    } catch (const S3Error& e) {
        return e.code();
    }
    return "no error";
}

std::string tags_xml(const std::string& inner) { return "<Tagging><TagSet>" + inner + "</TagSet></Tagging>"; }

std::string tag(const std::string& key, const std::string& value) {
    return "<Tag><Key>" + key + "</Key><Value>" + value + "</Value></Tag>";
}

}  // namespace

TEST_CASE("query strings split into decoded pairs, for targets and tagging headers alike", "[s3]") {
    const auto pairs = parse_query_string("a=1&&b=two%20words+x&flag&c=%3D%26");
    REQUIRE(pairs);
    REQUIRE(pairs->size() == 4);
    CHECK((*pairs)[0] == std::pair<std::string, std::string>{"a", "1"});
    CHECK((*pairs)[1].second == "two words x");
    CHECK((*pairs)[2] == std::pair<std::string, std::string>{"flag", ""});
    CHECK((*pairs)[3].second == "=&");
    CHECK_FALSE(parse_query_string("a=%G1"));
    CHECK(parse_query_string("")->empty());
}

TEST_CASE("x-amz-tagging headers are URL query strings within S3's limits", "[s3]") {
    const TagSet tags = parse_tagging_header("a=1&b=two%20words&empty=");
    REQUIRE(tags.size() == 3);
    CHECK(tags[1] == std::pair<std::string, std::string>{"b", "two words"});
    CHECK(tags[2].second.empty());
    CHECK(error_code([] { parse_tagging_header("a=%zz"); }) == "InvalidTag");
    CHECK(error_code([] { parse_tagging_header("=v"); }) == "InvalidTag");
    CHECK(error_code([] { parse_tagging_header("a=1&a=2"); }) == "InvalidTag");
    std::string eleven;
    for (int i = 0; i < 11; ++i) eleven += "k" + std::to_string(i) + "=v&";
    CHECK(error_code([&] { parse_tagging_header(eleven); }) == "BadRequest");
}

TEST_CASE("Tagging documents parse to tag sets and enforce the limits", "[s3]") {
    const TagSet tags = parse_tagging_xml(
        "<?xml version=\"1.0\"?><Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>" +
        tag("a&amp;b", "x y") + tag("empty", "") + "</TagSet></Tagging>");
    REQUIRE(tags.size() == 2);
    CHECK(tags[0] == std::pair<std::string, std::string>{"a&b", "x y"});
    CHECK(tags[1].second.empty());
    CHECK(parse_tagging_xml(tags_xml("")).empty());

    // Lengths count characters: 128 three-byte characters are a valid key.
    std::string wide_key;
    for (int i = 0; i < 128; ++i) wide_key += "\xe2\x82\xac";
    CHECK(parse_tagging_xml(tags_xml(tag(wide_key, std::string(256, 'v')))).size() == 1);
    CHECK(error_code([&] { parse_tagging_xml(tags_xml(tag(wide_key + "x", "v"))); }) == "InvalidTag");
    CHECK(error_code([] { parse_tagging_xml(tags_xml(tag(std::string(129, 'k'), "v"))); }) == "InvalidTag");
    CHECK(error_code([] { parse_tagging_xml(tags_xml(tag("k", std::string(257, 'v')))); }) == "InvalidTag");
    CHECK(error_code([] { parse_tagging_xml(tags_xml(tag("", "v"))); }) == "InvalidTag");
    CHECK(error_code([] { parse_tagging_xml(tags_xml(tag("k", "1") + tag("k", "2"))); }) == "InvalidTag");
    std::string eleven;
    for (int i = 0; i < 11; ++i) eleven += tag("k" + std::to_string(i), "v");
    CHECK(error_code([&] { parse_tagging_xml(tags_xml(eleven)); }) == "BadRequest");

    CHECK(error_code([] { parse_tagging_xml("<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>"); }) ==
          "MalformedXML");
    CHECK(error_code([] { parse_tagging_xml("<Tagging></Tagging>"); }) == "MalformedXML");
    CHECK(error_code([] { parse_tagging_xml("<Other><TagSet/></Other>"); }) == "MalformedXML");
    CHECK(error_code([] { parse_tagging_xml(tags_xml("<Bogus/>")); }) == "MalformedXML");
    CHECK(error_code([] { parse_tagging_xml("<Tagging><TagSet><Tag>"); }) == "MalformedXML");
    CHECK(error_code([] {
              parse_tagging_xml(tags_xml("<Tag><Key>a</Key><Key>b</Key><Value>v</Value></Tag>"));
          }) == "MalformedXML");
}

TEST_CASE("tag sets are written back as Tagging documents", "[s3]") {
    const std::string xml = tagging_xml({{"a<b", "1"}, {"c", ""}});
    CHECK(xml.find("<TagSet><Tag><Key>a&lt;b</Key><Value>1</Value></Tag><Tag><Key>c</Key><Value></Value></Tag>"
                   "</TagSet>") != std::string::npos);
    CHECK(parse_tagging_xml(xml) == TagSet{{"a<b", "1"}, {"c", ""}});
    CHECK(tagging_xml({}).find("<TagSet></TagSet>") != std::string::npos);
    // A CR is written as a reference: raw, a reader would see LF.
    CHECK(parse_tagging_xml(tagging_xml({{"cr", "a\rb\r\n"}})) == TagSet{{"cr", "a\rb\r\n"}});
}
