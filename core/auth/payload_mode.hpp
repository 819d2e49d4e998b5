// How a SigV4 request declares its body, from x-amz-content-sha256.
//
//   <64 hex digits>                            sha256: the body's SHA-256
//   UNSIGNED-PAYLOAD                           unsigned_payload
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD         streaming_signed: aws-chunked, signed chunks
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER streaming_signed_trailer: + signed trailer
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER         streaming_unsigned_trailer: aws-chunked,
//                                              unsigned chunks + unsigned trailer
//
// Anything else (including the SigV4a STREAMING-AWS4-ECDSA-P256-SHA256-*
// forms) is not a PayloadMode.
#pragma once

#include <optional>
#include <string_view>

#include "core/hash/sha256.hpp"

namespace shoal::auth {

enum class PayloadMode {
    sha256,
    unsigned_payload,
    streaming_signed,
    streaming_signed_trailer,
    streaming_unsigned_trailer,
};

struct PayloadDeclaration {
    PayloadMode mode = PayloadMode::unsigned_payload;
    hash::Sha256::Digest sha256{};  // valid when mode == sha256
};

// nullopt for a value that is none of the forms above. Hex digits may be of
// either case.
std::optional<PayloadDeclaration> parse_payload_declaration(std::string_view x_amz_content_sha256);

// The literal for the non-hash modes ("UNSIGNED-PAYLOAD", ...); "" for sha256.
std::string_view payload_mode_literal(PayloadMode mode);

inline bool is_streaming(PayloadMode m) {
    return m == PayloadMode::streaming_signed || m == PayloadMode::streaming_signed_trailer ||
           m == PayloadMode::streaming_unsigned_trailer;
}
inline bool has_signed_chunks(PayloadMode m) {
    return m == PayloadMode::streaming_signed || m == PayloadMode::streaming_signed_trailer;
}
inline bool has_trailer(PayloadMode m) {
    return m == PayloadMode::streaming_signed_trailer || m == PayloadMode::streaming_unsigned_trailer;
}

}  // namespace shoal::auth
