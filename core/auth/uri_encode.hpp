// The percent-encoding of SigV4 canonical requests: the unreserved characters
// A-Z a-z 0-9 '-' '_' '.' '~' stand for themselves and every other byte
// becomes %XX with uppercase hex digits (this is stricter than RFC 3986: '!',
// '*', '(' ... are encoded too). '/' is kept only where asked (paths).
#pragma once

#include <string>
#include <string_view>

namespace shoal::auth {

bool is_unreserved(char c);

// 0-15 for a hex digit (either case), -1 otherwise.
int hex_digit_value(char c);

// Appends %XX (uppercase hex) for one byte.
void append_escaped_byte(std::string& out, unsigned char byte);

void append_uri_encoded(std::string& out, std::string_view bytes, bool keep_slash);
std::string uri_encode(std::string_view bytes, bool keep_slash = false);

// Replaces each valid %XX by its byte. A '%' not followed by two hex digits is
// kept as is; with plus_is_space, '+' decodes to a space (query strings).
std::string uri_decode(std::string_view text, bool plus_is_space);

}  // namespace shoal::auth
