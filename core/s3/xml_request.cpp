#include "core/s3/xml_request.hpp"

#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

// A character reference to U+0000: "&#0;", "&#x00;" and the like.
bool has_nul_reference(std::string_view body) {
    for (std::size_t at = body.find("&#"); at != std::string_view::npos; at = body.find("&#", at + 2)) {
        std::size_t i = at + 2;
        if (i < body.size() && (body[i] == 'x' || body[i] == 'X')) ++i;
        const std::size_t digits = i;
        while (i < body.size() && body[i] == '0') ++i;
        if (i > digits && i < body.size() && body[i] == ';') return true;
    }
    return false;
}

}  // namespace

void load_xml_request(pugi::xml_document& doc, std::string_view body, const std::string& what) {
    if (body.find('\0') != std::string_view::npos || has_nul_reference(body)) {
        throw malformed_xml(what + ": the document holds a NUL character");
    }
    const pugi::xml_parse_result parsed =
        doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
    if (!parsed) throw malformed_xml(what);
}

std::string xml_text(const pugi::xml_node& element) {
    std::string text;
    for (const pugi::xml_node child : element.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
    }
    return text;
}

}  // namespace shoal::s3
