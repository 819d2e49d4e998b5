#include "core/s3/names.hpp"

namespace shoal::s3 {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool looks_like_ipv4(std::string_view s) {
    int dots = 0;
    for (char c : s) {
        if (c == '.') ++dots;
        else if (c < '0' || c > '9') return false;
    }
    return dots == 3;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::string> bucket_name_problem(std::string_view name) {
    if (name.size() < 3 || name.size() > 63) return "bucket names are 3 to 63 characters long";
    for (char c : name) {
        if (!is_lower_alnum(c) && c != '.' && c != '-') {
            return "bucket names use only lowercase letters, digits, '.' and '-'";
        }
    }
    if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back())) {
        return "bucket names start and end with a letter or digit";
    }
    if (name.find("..") != std::string_view::npos) return "bucket names have no two adjacent periods";
    if (looks_like_ipv4(name)) return "bucket names are not IP addresses";
    if (name.substr(0, 4) == "xn--" || name.substr(0, 7) == "sthree-") return "bucket name prefix is reserved";
    if (ends_with(name, "-s3alias") || ends_with(name, "--ol-s3")) return "bucket name suffix is reserved";
    return std::nullopt;
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size()) return false;
        for (std::size_t j = 1; j <= extra; ++j) {
            const auto cc = static_cast<unsigned char>(s[i + j]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

std::optional<KeyProblem> object_key_problem(std::string_view key) {
    if (key.empty()) return KeyProblem{"InvalidArgument", "object keys are at least 1 byte long"};
    if (key.size() > 1024) return KeyProblem{"KeyTooLongError", "Your key is too long: at most 1024 bytes"};
    if (key.find('\0') != std::string_view::npos) return KeyProblem{"InvalidArgument", "object keys hold no NUL byte"};
    if (!valid_utf8(key)) return KeyProblem{"InvalidArgument", "object keys are valid UTF-8"};
    return std::nullopt;
}

}  // namespace shoal::s3
