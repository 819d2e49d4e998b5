#include "core/auth/payload_mode.hpp"

#include "core/hash/encoding.hpp"

namespace shoal::auth {

std::optional<PayloadDeclaration> parse_payload_declaration(std::string_view value) {
    PayloadDeclaration d;
    for (PayloadMode m : {PayloadMode::unsigned_payload, PayloadMode::streaming_signed,
                          PayloadMode::streaming_signed_trailer, PayloadMode::streaming_unsigned_trailer}) {
        if (value == payload_mode_literal(m)) {
            d.mode = m;
            return d;
        }
    }
    d.mode = PayloadMode::sha256;
    if (hash::hex_decode_into(value, d.sha256)) return d;
    return std::nullopt;
}

std::string_view payload_mode_literal(PayloadMode mode) {
    switch (mode) {
        case PayloadMode::sha256: return "";
        case PayloadMode::unsigned_payload: return "UNSIGNED-PAYLOAD";
        case PayloadMode::streaming_signed: return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
        case PayloadMode::streaming_signed_trailer: return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
        case PayloadMode::streaming_unsigned_trailer: return "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    }
    return "";
}

}  // namespace shoal::auth
