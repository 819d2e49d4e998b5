// The request body as an operation reads it, decoded and verified according
// to how the request was signed:
//   - a hex SHA-256 in x-amz-content-sha256: hashed as it streams, checked at
//     its end (XAmzContentSHA256Mismatch before anything is committed);
//   - UNSIGNED-PAYLOAD: as sent;
//   - STREAMING-*: aws-chunked decoded, each chunk signature verified, the
//     trailer (checksums) collected.
// Memory: what one read() asks for, plus a bounded decoder state.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/auth/chunked_payload_decoder.hpp"
#include "core/auth/sigv4_verifier.hpp"
#include "core/engine/byte_source.hpp"
#include "core/hash/sha256.hpp"
#include "core/http/exchange.hpp"

namespace shoal::s3 {

class BodySource : public engine::ByteSource {
public:
    BodySource(http::Exchange& exchange, const auth::Authenticated* auth);

    asio::awaitable<std::size_t> read(std::span<char> out) override;

    // Trailer fields of a streaming body (valid once read() returned 0).
    const std::vector<http::Header>& trailers() const;
    const std::string* trailer(std::string_view name) const;

private:
    http::Exchange& exchange_;
    const auth::Authenticated* auth_;
    std::optional<hash::Sha256> sha256_;
    std::optional<auth::ChunkedPayloadDecoder> decoder_;
    std::string raw_;      // aws-chunked bytes read, not yet decoded
    std::string decoded_;  // decoded bytes not yet handed out
    bool finished_ = false;
};

}  // namespace shoal::s3
