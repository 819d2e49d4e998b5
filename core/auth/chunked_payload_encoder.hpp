// Client side of the aws-chunked body forms (see chunked_payload_decoder.hpp):
// frames payload into chunks, signing each with the chain that starts at the
// request's signature, then the final chunk and the trailer. For the
// benchmark tool and tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/payload_mode.hpp"
#include "core/auth/streaming_signature.hpp"
#include "core/http/request.hpp"

namespace shoal::auth {

class ChunkedPayloadEncoder {
public:
    // mode: one of the streaming modes; signing: from sign_request().
    ChunkedPayloadEncoder(PayloadMode mode, StreamingContext signing);

    // One data chunk, framed (and signed). `data` must not be empty: an empty
    // chunk is the final one.
    std::string chunk(std::string_view data);

    // The final chunk, the trailer (trailer modes; the signed form adds
    // x-amz-trailer-signature) and the closing blank line. Trailer names
    // should be lowercase.
    std::string finish(const std::vector<http::Header>& trailers = {});

    // The Content-Length of a body of decoded_length bytes cut in chunks of
    // chunk_size (the last one shorter) with these trailers.
    static std::uint64_t encoded_length(PayloadMode mode, std::uint64_t decoded_length, std::uint64_t chunk_size,
                                        const std::vector<http::Header>& trailers = {});

private:
    PayloadMode mode_;
    StreamingContext signing_;
    std::string previous_signature_;
};

}  // namespace shoal::auth
