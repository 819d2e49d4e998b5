// Byte encodings used on the S3 wire: lowercase hex (SigV4 signatures and
// payload hashes, ETags) and standard base64 with padding (RFC 4648 section 4:
// Content-MD5, x-amz-checksum-*).
//
// Decoders validate their whole input and return nullopt (or false) on any
// malformed text: odd length or a non-hex digit; for base64 a length that is
// not a multiple of 4, a character outside the alphabet, misplaced or excess
// padding, or non-zero padding bits (so each byte string has exactly one
// accepted encoding). Whitespace is not skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::hash {

std::string hex_encode(std::span<const std::uint8_t> bytes);
std::string hex_encode(std::string_view bytes);

// Accepts upper- and lowercase digits.
std::optional<std::vector<std::uint8_t>> hex_decode(std::string_view text);

// Decodes exactly out.size() bytes: false unless text.size() == 2 * out.size()
// and every digit is valid (out is then unspecified).
bool hex_decode_into(std::string_view text, std::span<std::uint8_t> out);

std::string base64_encode(std::span<const std::uint8_t> bytes);
std::string base64_encode(std::string_view bytes);

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace shoal::hash
