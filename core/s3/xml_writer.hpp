// Builds the XML documents S3 answers with, escaping all text.
//
//   XmlWriter x("ListAllMyBucketsResult");   // with the S3 namespace
//   x.open("Buckets"); x.element("Name", name); x.close();
//   std::string body = x.finish();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::s3 {

class XmlWriter {
public:
    explicit XmlWriter(std::string_view root, bool with_namespace = true);

    XmlWriter& open(std::string_view name);
    XmlWriter& close();
    XmlWriter& element(std::string_view name, std::string_view text);
    XmlWriter& element(std::string_view name, std::uint64_t number);
    XmlWriter& boolean(std::string_view name, bool value);
    std::string finish();  // closes every open element

private:
    std::string out_;
    std::vector<std::string> open_;
};

// S3's timestamp forms.
std::string iso8601_ms(std::uint64_t unix_ms);    // 2026-11-25T11:31:19.123Z (XML)
std::string http_date_ms(std::uint64_t unix_ms);  // Wed, 25 Nov 2026 11:31:19 GMT (headers)

}  // namespace shoal::s3
