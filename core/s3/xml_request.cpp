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
    constexpr unsigned kOptions = pugi::parse_default | pugi::parse_ws_pcdata;
    const auto nul = [&what] { return malformed_xml(what + ": the document holds a NUL character"); };
    if (body.find('\0') != std::string_view::npos) throw nul();
    if (!doc.load_buffer(body.data(), body.size(), kOptions, pugi::encoding_utf8)) throw malformed_xml(what);
    // pugixml decodes "&#0;" into a NUL that silently ends the text: look for
    // one in the undecoded text (not in CDATA, where "&#0;" is just text).
    if (body.find("&#") == std::string_view::npos) return;
    pugi::xml_document raw;
    raw.load_buffer(body.data(), body.size(), kOptions & ~pugi::parse_escapes, pugi::encoding_utf8);
    const pugi::xml_node found = raw.find_node(
        [](const pugi::xml_node& n) { return n.type() == pugi::node_pcdata && has_nul_reference(n.value()); });
    if (found) throw nul();
}

std::string xml_text(const pugi::xml_node& element) {
    std::string text;
    for (const pugi::xml_node child : element.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
    }
    return text;
}

}  // namespace shoal::s3
