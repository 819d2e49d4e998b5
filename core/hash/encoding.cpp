#include "core/hash/encoding.hpp"

#include <array>

namespace shoal::hash {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr std::array<std::uint8_t, 256> make_base64_values() {
    std::array<std::uint8_t, 256> values{};
    for (auto& v : values) v = kInvalid;
    for (std::uint8_t i = 0; i < 64; ++i) values[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
    return values;
}

constexpr std::array<std::uint8_t, 256> kBase64Values = make_base64_values();

std::string hex_encode_raw(const unsigned char* p, std::size_t size) {
    std::string out;
    out.resize(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = kHexDigits[p[i] >> 4];
        out[2 * i + 1] = kHexDigits[p[i] & 0x0F];
    }
    return out;
}

std::string base64_encode_raw(const unsigned char* p, std::size_t size) {
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16 | std::uint32_t{p[i + 1]} << 8 | p[i + 2];
        out += kBase64Alphabet[v >> 18];
        out += kBase64Alphabet[(v >> 12) & 0x3F];
        out += kBase64Alphabet[(v >> 6) & 0x3F];
        out += kBase64Alphabet[v & 0x3F];
    }
    const std::size_t rest = size - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16;
        out += kBase64Alphabet[v >> 18];
        out += kBase64Alphabet[(v >> 12) & 0x3F];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16 | std::uint32_t{p[i + 1]} << 8;
        out += kBase64Alphabet[v >> 18];
        out += kBase64Alphabet[(v >> 12) & 0x3F];
        out += kBase64Alphabet[(v >> 6) & 0x3F];
        out += '=';
    }
    return out;
}

}  // namespace

std::string hex_encode(std::span<const std::uint8_t> bytes) { return hex_encode_raw(bytes.data(), bytes.size()); }

std::string hex_encode(std::string_view bytes) {
    return hex_encode_raw(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

bool hex_decode_into(std::string_view text, std::span<std::uint8_t> out) {
    if (text.size() != 2 * out.size()) return false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(text[2 * i]);
        const int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return true;
}

std::optional<std::vector<std::uint8_t>> hex_decode(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<std::uint8_t> out(text.size() / 2);
    if (!hex_decode_into(text, out)) return std::nullopt;
    return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) { return base64_encode_raw(bytes.data(), bytes.size()); }

std::string base64_encode(std::string_view bytes) {
    return base64_encode_raw(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = (text[text.size() - 2] == '=') ? 2 : 1;

    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const std::size_t data_chars = last ? 4 - padding : 4;
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            std::uint8_t six = 0;
            if (j < data_chars) {
                six = kBase64Values[static_cast<unsigned char>(text[i + j])];
                if (six == kInvalid) return std::nullopt;  // includes a '=' in the middle
            }
            v = v << 6 | six;
        }
        out.push_back(static_cast<std::uint8_t>(v >> 16));
        if (data_chars >= 3) out.push_back(static_cast<std::uint8_t>(v >> 8));
        if (data_chars == 4) out.push_back(static_cast<std::uint8_t>(v));
        // Padding bits must be zero, or two texts would decode to the same bytes.
        if (data_chars == 2 && (v & 0xFFFF) != 0) return std::nullopt;
        if (data_chars == 3 && (v & 0xFF) != 0) return std::nullopt;
    }
    return out;
}

}  // namespace shoal::hash
