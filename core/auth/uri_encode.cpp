#include "core/auth/uri_encode.hpp"

namespace shoal::auth {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";

}  // namespace

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_escaped_byte(std::string& out, unsigned char byte) {
    out += '%';
    out += kHexUpper[byte >> 4];
    out += kHexUpper[byte & 0x0F];
}

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

void append_uri_encoded(std::string& out, std::string_view bytes, bool keep_slash) {
    for (char c : bytes) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out += c;
        } else {
            append_escaped_byte(out, static_cast<unsigned char>(c));
        }
    }
}

std::string uri_encode(std::string_view bytes, bool keep_slash) {
    std::string out;
    out.reserve(bytes.size());
    append_uri_encoded(out, bytes, keep_slash);
    return out;
}

std::string uri_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            const int hi = hex_digit_value(text[i + 1]);
            const int lo = hex_digit_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi << 4 | lo);
                i += 2;
                continue;
            }
        }
        out += (plus_is_space && c == '+') ? ' ' : c;
    }
    return out;
}

}  // namespace shoal::auth
