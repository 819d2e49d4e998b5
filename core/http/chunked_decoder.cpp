#include "core/http/chunked_decoder.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::http {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool ChunkedDecoder::fail(std::string reason) {
    state_ = State::failed;
    error_ = std::move(reason);
    return false;
}

// Collects one CRLF-terminated line, possibly across calls. Returns true with
// `line` set (without CRLF) when complete; false if more input is needed or on error.
bool ChunkedDecoder::take_line(std::string_view& in, std::size_t& consumed, std::string_view& line) {
    const std::size_t lf = in.find('\n');
    const std::size_t take = lf == std::string_view::npos ? in.size() : lf + 1;
    if (line_.size() + take > kMaxLineBytes) return fail("chunk line too long");
    line_.append(in.data(), take);
    in.remove_prefix(take);
    consumed += take;
    if (lf == std::string_view::npos) return false;
    if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return fail("chunk line not terminated by CRLF");
    line = std::string_view(line_).substr(0, line_.size() - 2);
    return true;
}

bool ChunkedDecoder::on_size_line(std::string_view line) {
    // chunk-size [ chunk-ext ]: extensions are allowed and ignored, but a line
    // with a bare CR or another control character is refused, as in the head.
    if (!is_field_value(line)) return fail("invalid character in a chunk-size line");
    const std::string_view size_text = trim(line.substr(0, line.find(';')));
    if (size_text.empty()) return fail("missing chunk size");
    if (size_text.size() > 15) return fail("chunk size too large");  // 15 hex digits < 2^60
    std::uint64_t size = 0;
    for (char c : size_text) {
        const int v = hex_value(c);
        if (v < 0) return fail("invalid chunk size");
        size = size * 16 + static_cast<std::uint64_t>(v);
    }
    remaining_ = size;
    state_ = size == 0 ? State::trailer : State::data;
    return true;
}

bool ChunkedDecoder::on_trailer_line(std::string_view line) {
    if (line.empty()) {
        state_ = State::done;
        return true;
    }
    trailer_bytes_ += line.size() + 2;
    if (trailer_bytes_ > kMaxTrailerBytes) return fail("trailer section too large");
    // Trailer fields follow the grammar of header fields (a bare CR in a value,
    // a space in a name, would otherwise reach whoever reads the trailers).
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return fail("malformed trailer field");
    const std::string_view value = trim(line.substr(colon + 1));
    if (!is_field_value(value)) return fail("invalid character in a trailer field value");
    trailers_.push_back(Header{std::string(line.substr(0, colon)), std::string(value)});
    return true;
}

ChunkedDecoder::Step ChunkedDecoder::decode(std::string_view in, std::span<char> out) {
    Step step;
    while (!in.empty() && state_ != State::done && state_ != State::failed) {
        switch (state_) {
            case State::size_line:
            case State::trailer: {
                std::string_view line;
                if (!take_line(in, step.consumed, line)) return step;
                const bool ok = state_ == State::size_line ? on_size_line(line) : on_trailer_line(line);
                line_.clear();
                if (!ok) return step;
                break;
            }
            case State::data: {
                const std::size_t room = out.size() - step.produced;
                if (room == 0) return step;
                const std::size_t n = static_cast<std::size_t>(
                    std::min<std::uint64_t>({remaining_, static_cast<std::uint64_t>(in.size()), room}));
                std::memcpy(out.data() + step.produced, in.data(), n);
                in.remove_prefix(n);
                step.consumed += n;
                step.produced += n;
                remaining_ -= n;
                payload_bytes_ += n;
                if (remaining_ == 0) state_ = State::data_crlf;
                break;
            }
            case State::data_crlf: {
                std::string_view line;
                if (!take_line(in, step.consumed, line)) return step;
                const bool empty = line.empty();
                line_.clear();
                if (!empty) {
                    fail("chunk data longer than its size");
                    return step;
                }
                state_ = State::size_line;
                break;
            }
            case State::done:
            case State::failed:
                break;
        }
    }
    return step;
}

}  // namespace shoal::http
