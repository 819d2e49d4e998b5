// Decoder of the aws-chunked request bodies announced by
// x-amz-content-sha256 (see payload_mode.hpp):
//
//   signed:   <hex size>;chunk-signature=<sig>\r\n <data> \r\n ... 0;chunk-signature=<sig>\r\n
//   unsigned: <hex size>\r\n <data> \r\n ... 0\r\n
//   then, without trailer: \r\n
//   with a trailer:        name:value\r\n ... [x-amz-trailer-signature:<sig>\r\n] \r\n
//
// It is fed the raw body as it arrives, split anywhere (one byte at a time
// works), and hands the decoded payload to a sink as it goes, so memory stays
// bounded whatever the body size: only one header or trailer line is ever
// buffered, and lines, the trailer and the trailer count have limits.
//
// Invariants and contract:
// - Each chunk signature is checked against the chain that starts at the
//   seed (the request's signature) once the chunk's last byte has arrived;
//   bytes of a chunk reach the sink before that check. The caller therefore
//   must not make the payload visible (commit an object) until finish()
//   returned no error.
// - The decoded total must equal x-amz-decoded-content-length: a chunk that
//   would exceed it fails at its header, a short total fails at the final chunk.
// - Trailing headers are kept (names lowercased) for the caller, who verifies
//   checksums such as x-amz-checksum-crc32 against the payload. With
//   x-amz-trailer declared, only those names are accepted and all must come.
//   The signed-trailer form must end with a valid x-amz-trailer-signature.
// - Errors are values and sticky: after the first, feed() and finish() return
//   it again and no more payload is produced. Malformed framing and limits
//   give InvalidRequest, a short or overlong body IncompleteBody, a bad
//   signature SignatureDoesNotMatch.
// - Tolerated (seen from real clients): an empty line between the final chunk
//   and the trailer, and a body that ends without its last CRLF or blank line
//   once the final chunk has been read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/errors.hpp"
#include "core/auth/payload_mode.hpp"
#include "core/auth/sigv4_verifier.hpp"
#include "core/auth/streaming_signature.hpp"
#include "core/hash/sha256.hpp"
#include "core/http/request.hpp"

namespace shoal::auth {

struct ChunkDecoderLimits {
    std::size_t max_line_bytes = 1024;          // one chunk header or trailer line, CRLF included
    std::size_t max_trailer_bytes = 16 * 1024;  // all trailer lines together
    std::size_t max_trailers = 16;
};

class ChunkedPayloadDecoder {
public:
    struct Config {
        PayloadMode mode = PayloadMode::streaming_signed;  // one of the streaming modes
        StreamingContext signing;                          // used by the signed modes
        std::uint64_t decoded_length = 0;                  // x-amz-decoded-content-length
        std::vector<std::string> trailer_names;            // x-amz-trailer, lowercase; empty accepts any
        ChunkDecoderLimits limits;
    };

    // Receives decoded payload bytes, in order.
    using Sink = std::function<void(std::span<const std::byte>)>;

    explicit ChunkedPayloadDecoder(Config config);
    // From a verified request; a non-streaming payload mode fails every call.
    explicit ChunkedPayloadDecoder(const Authenticated& auth, ChunkDecoderLimits limits = {});

    std::optional<Error> feed(std::span<const std::byte> input, const Sink& sink);
    std::optional<Error> feed(std::string_view input, std::string& out);  // appends to out

    // The body has ended: an error unless it ended where an aws-chunked body may end.
    std::optional<Error> finish();

    bool complete() const { return state_ == State::done; }
    std::uint64_t decoded_bytes() const { return decoded_; }

    // Trailing headers received (x-amz-trailer-signature excluded), names lowercased.
    const std::vector<http::Header>& trailers() const { return trailers_; }
    const std::string* trailer(std::string_view name) const;

private:
    enum class State {
        chunk_header,       // reading "<size>[;chunk-signature=<sig>]\r\n"
        chunk_data,         // `remaining_` payload bytes to go
        chunk_data_end,     // the "\r\n" after the data
        final_line,         // no trailer: the blank line after the final chunk
        trailer_lines,      // trailer: "name:value\r\n" lines until a blank one
        trailer_maybe_end,  // a blank line came before any trailer: end, or a separator
        done,
        failed,
    };

    std::optional<Error> fail(ErrorCode code, std::string message);
    // Appends input to line_ up to a LF; true once a whole line (CRLF removed) is in line_.
    bool take_line(const std::byte*& p, const std::byte* end, std::optional<Error>& error);
    std::optional<Error> on_chunk_header();
    std::optional<Error> on_chunk_end();
    std::optional<Error> on_final_line();
    std::optional<Error> on_trailer_line(std::string_view line);
    std::optional<Error> end_trailer();

    Config config_;
    State state_ = State::chunk_header;
    std::optional<Error> error_;
    std::string line_;
    std::uint64_t remaining_ = 0;  // of the current chunk's data
    std::uint64_t decoded_ = 0;
    std::size_t crlf_seen_ = 0;
    hash::Sha256 chunk_hash_;
    std::string chunk_signature_;     // claimed by the current chunk's header
    std::string previous_signature_;  // the chain: seed, then each verified chunk
    std::vector<http::Header> trailers_;
    std::string canonical_trailers_;
    std::string trailer_signature_;
    std::size_t trailer_bytes_ = 0;
};

}  // namespace shoal::auth
