// Reading the XML documents of S3 requests (DeleteObjects, CompleteMultipartUpload,
// configurations) with pugixml, the same way for every operation:
//
// - UTF-8 only (as S3 documents them); a NUL, raw or as a character reference,
//   is refused (XML forbids it, and pugixml would silently end the text there:
//   "a&#0;b" would name the key "a");
// - an element's text is all of it: "a<![CDATA[b]]>c" is "abc", not "a", and
//   spaces are text too (a key " ", or the spaces between two CDATA sections),
//   never dropped.
#pragma once

#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace shoal::s3 {

// Parses `body` into `doc`. Throws S3Error MalformedXML naming `what` if the
// body is not a well-formed UTF-8 document or holds a NUL.
void load_xml_request(pugi::xml_document& doc, std::string_view body, const std::string& what);

// The text of `element` (its text and CDATA children, concatenated); "" for a
// missing element.
std::string xml_text(const pugi::xml_node& element);

}  // namespace shoal::s3
