// Incremental decoder of the HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1).
//
// Fed the raw body bytes in pieces of any size, it writes the payload bytes to
// the caller's buffer. Memory is bounded: it buffers nothing but a partial
// chunk-size line or trailer line, each capped (kMaxLineBytes), and the whole
// trailer section is capped (kMaxTrailerBytes). Chunk extensions are ignored;
// trailer fields are kept (S3 sends checksums there) and follow the grammar of
// header fields (token name, no control characters in the value).
//
// Invariant: once error() is set, the decoder consumes nothing more; once
// done() is true, the bytes after the final CRLF are never consumed (they
// belong to the next request on the connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.hpp"

namespace shoal::http {

class ChunkedDecoder {
public:
    static constexpr std::size_t kMaxLineBytes = 4096;
    static constexpr std::size_t kMaxTrailerBytes = 16 * 1024;

    struct Step {
        std::size_t consumed = 0;  // bytes of `in` used
        std::size_t produced = 0;  // payload bytes written to `out`
    };

    // Decodes as much of `in` as possible into `out`. Stops when `out` is full,
    // `in` is exhausted, the body is complete or the input is malformed.
    Step decode(std::string_view in, std::span<char> out);

    bool done() const { return state_ == State::done; }
    bool failed() const { return state_ == State::failed; }
    const std::string& error() const { return error_; }

    std::uint64_t payload_bytes() const { return payload_bytes_; }
    const std::vector<Header>& trailers() const { return trailers_; }

private:
    enum class State { size_line, data, data_crlf, trailer, done, failed };

    bool fail(std::string reason);
    bool take_line(std::string_view& in, std::size_t& consumed, std::string_view& line);
    bool on_size_line(std::string_view line);
    bool on_trailer_line(std::string_view line);

    State state_ = State::size_line;
    std::string line_;  // partial line carried between calls
    std::uint64_t remaining_ = 0;  // bytes left in the current chunk
    std::uint64_t payload_bytes_ = 0;
    std::size_t trailer_bytes_ = 0;
    std::vector<Header> trailers_;
    std::string error_;
};

}  // namespace shoal::http
