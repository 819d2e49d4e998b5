#include "core/auth/streaming_signature.hpp"

#include "core/hash/encoding.hpp"

namespace shoal::auth {
namespace {

// hex sha256 of the empty string: the "headers" of a chunk, which are never sent.
constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string header(std::string_view algorithm, const StreamingContext& context, std::string_view previous) {
    std::string out;
    out.reserve(256);
    out.append(algorithm).append("\n");
    out.append(context.amz_date).append("\n");
    out.append(context.scope).append("\n");
    out.append(previous).append("\n");
    return out;
}

}  // namespace

std::string chunk_signature(const StreamingContext& context, std::string_view previous_signature,
                            const hash::Sha256::Digest& chunk_sha256) {
    std::string to_sign = header("AWS4-HMAC-SHA256-PAYLOAD", context, previous_signature);
    to_sign.append(kEmptySha256).append("\n");
    to_sign.append(hash::hex_encode(chunk_sha256));
    return sign(context.key, to_sign);
}

std::string trailer_signature(const StreamingContext& context, std::string_view previous_signature,
                              std::string_view canonical_trailers) {
    std::string to_sign = header("AWS4-HMAC-SHA256-TRAILER", context, previous_signature);
    to_sign.append(hash::hex_encode(hash::sha256(canonical_trailers)));
    return sign(context.key, to_sign);
}

}  // namespace shoal::auth
