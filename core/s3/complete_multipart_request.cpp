#include "core/s3/complete_multipart_request.hpp"

#include <charconv>
#include <optional>

#include "core/s3/error.hpp"
#include "core/s3/xml_request.hpp"

namespace shoal::s3 {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return n;
}

}  // namespace

std::string unquote_etag(std::string etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return etag;
}

std::vector<engine::CompletedPart> parse_complete_multipart_upload(std::string_view body) {
    pugi::xml_document doc;
    load_xml_request(doc, body, "CompleteMultipartUpload");
    const pugi::xml_node root = doc.child("CompleteMultipartUpload");
    if (!root) throw malformed_xml("expected a CompleteMultipartUpload element");
    std::vector<engine::CompletedPart> parts;
    for (const pugi::xml_node part : root.children("Part")) {
        const auto number = parse_number(xml_text(part.child("PartNumber")));
        if (!number || *number < 1 || *number > kMaxParts) throw malformed_xml("bad PartNumber");
        const std::uint32_t n = static_cast<std::uint32_t>(*number);
        if (!parts.empty() && n <= parts.back().number) {
            throw S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be "
                                                   "ordered by part number.");
        }
        parts.push_back(engine::CompletedPart{n, unquote_etag(xml_text(part.child("ETag")))});
    }
    if (parts.empty()) throw malformed_xml("You must specify at least one part");
    return parts;
}

}  // namespace shoal::s3
