#include "core/s3/tagging.hpp"

#include <algorithm>

#include "core/s3/error.hpp"
#include "core/s3/names.hpp"
#include "core/s3/target.hpp"
#include "core/s3/xml_request.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

S3Error invalid_tag(const std::string& message) { return S3Error(400, "InvalidTag", message); }

// S3 counts tag lengths in characters, not bytes: count the UTF-8 lead bytes.
std::size_t utf8_chars(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

}  // namespace

void check_tags(const TagSet& tags) {
    if (tags.size() > kMaxTags) throw S3Error(400, "BadRequest", "Object tags cannot be greater than 10");
    for (std::size_t i = 0; i < tags.size(); ++i) {
        const auto& [key, value] = tags[i];
        if (!valid_utf8(key) || !valid_utf8(value)) throw invalid_tag("The TagKey or TagValue is not valid UTF-8.");
        if (key.empty() || utf8_chars(key) > kMaxTagKeyChars) {
            throw invalid_tag("The TagKey you have provided is invalid: it must be 1 to 128 characters long.");
        }
        if (utf8_chars(value) > kMaxTagValueChars) {
            throw invalid_tag("The TagValue you have provided is too long, max 256.");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (tags[j].first == key) throw invalid_tag("Cannot provide multiple Tags with the same key");
        }
    }
}

TagSet parse_tagging_header(std::string_view header) {
    auto pairs = parse_query_string(header);
    if (!pairs) {
        throw invalid_tag("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
                          "parameters without tag name duplicates.");
    }
    check_tags(*pairs);
    return std::move(*pairs);
}

TagSet parse_tagging_xml(std::string_view body) {
    pugi::xml_document doc;
    load_xml_request(doc, body, "Tagging");
    const pugi::xml_node root = doc.child("Tagging");
    if (!root) throw malformed_xml("expected a Tagging element");
    const pugi::xml_node set = root.child("TagSet");
    if (!set) throw malformed_xml("expected a TagSet element");
    TagSet tags;
    for (const pugi::xml_node tag : set.children()) {
        if (tag.type() != pugi::node_element) continue;
        if (std::string_view(tag.name()) != "Tag") throw malformed_xml("a TagSet holds only Tag elements");
        const pugi::xml_node key = tag.child("Key");
        const pugi::xml_node value = tag.child("Value");
        if (!key || !value || key.next_sibling("Key") || value.next_sibling("Value")) {
            throw malformed_xml("a Tag has one Key and one Value");
        }
        tags.emplace_back(xml_text(key), xml_text(value));
    }
    check_tags(tags);
    return tags;
}

std::string tagging_xml(const TagSet& tags) {
    XmlWriter xml("Tagging");
    xml.open("TagSet");
    for (const auto& [key, value] : tags) xml.open("Tag").element("Key", key).element("Value", value).close();
    return xml.finish();
}

}  // namespace shoal::s3
