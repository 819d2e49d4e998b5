#include "core/auth/chunked_payload_decoder.hpp"

#include <algorithm>
#include <utility>

#include "core/auth/authorization.hpp"
#include "core/auth/uri_encode.hpp"

namespace shoal::auth {
namespace {

constexpr std::string_view kChunkSignature = "chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Client bytes quoted in an error message: short and printable.
std::string quoted(std::string_view text) {
    constexpr std::size_t kMax = 40;
    std::string out = "\"";
    for (char c : text.substr(0, kMax)) {
        const auto b = static_cast<unsigned char>(c);
        out += (b < 0x20 || b >= 0x7F) ? '?' : c;
    }
    if (text.size() > kMax) out += "...";
    return out + "\"";
}

ChunkedPayloadDecoder::Config config_from(const Authenticated& auth, ChunkDecoderLimits limits) {
    ChunkedPayloadDecoder::Config c;
    c.mode = auth.payload_mode;
    c.signing = auth.streaming;
    c.decoded_length = auth.decoded_content_length;
    c.trailer_names = auth.trailer_names;
    c.limits = limits;
    return c;
}

}  // namespace

ChunkedPayloadDecoder::ChunkedPayloadDecoder(Config config) : config_(std::move(config)) {
    previous_signature_ = config_.signing.seed_signature;
    if (!is_streaming(config_.mode)) {
        fail(ErrorCode::invalid_request, "the payload mode \"" + std::string(payload_mode_literal(config_.mode)) +
                                             "\" has no aws-chunked body");
    }
}

ChunkedPayloadDecoder::ChunkedPayloadDecoder(const Authenticated& auth, ChunkDecoderLimits limits)
    : ChunkedPayloadDecoder(config_from(auth, limits)) {}

const std::string* ChunkedPayloadDecoder::trailer(std::string_view name) const {
    for (const http::Header& h : trailers_) {
        if (http::iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

std::optional<Error> ChunkedPayloadDecoder::fail(ErrorCode code, std::string message) {
    if (!error_) error_ = Error{code, "aws-chunked body: " + std::move(message), {}};
    state_ = State::failed;
    line_.clear();
    line_.shrink_to_fit();
    return error_;
}

bool ChunkedPayloadDecoder::take_line(const std::byte*& p, const std::byte* end, std::optional<Error>& error) {
    const std::byte* lf = std::find(p, end, std::byte{'\n'});
    const std::size_t take = static_cast<std::size_t>(lf - p);
    // The line, its CR and LF must fit the limit.
    if (line_.size() + take + (lf != end ? 1 : 0) > config_.limits.max_line_bytes) {
        error = fail(ErrorCode::invalid_request,
                     "a chunk header or trailer line is longer than " +
                         std::to_string(config_.limits.max_line_bytes) + " bytes");
        return false;
    }
    line_.append(reinterpret_cast<const char*>(p), take);
    p = lf;
    if (lf == end) return false;
    ++p;  // the LF
    if (line_.empty() || line_.back() != '\r') {
        error = fail(ErrorCode::invalid_request, "a line ends with a bare LF instead of CRLF");
        return false;
    }
    line_.pop_back();
    return true;
}

std::optional<Error> ChunkedPayloadDecoder::on_chunk_header() {
    std::string_view line = line_;
    const std::size_t semi = line.find(';');
    const std::string_view size_text = line.substr(0, semi);
    if (size_text.empty() || size_text.size() > 16) {
        return fail(ErrorCode::invalid_request, "invalid chunk size " + quoted(size_text));
    }
    std::uint64_t size = 0;
    for (char c : size_text) {
        const int digit = hex_digit_value(c);
        if (digit < 0) return fail(ErrorCode::invalid_request, "invalid chunk size " + quoted(size_text));
        size = size << 4 | static_cast<std::uint64_t>(digit);
    }

    if (has_signed_chunks(config_.mode)) {
        const std::string_view extension = semi == std::string_view::npos ? std::string_view{} : line.substr(semi + 1);
        if (extension.substr(0, kChunkSignature.size()) != kChunkSignature) {
            return fail(ErrorCode::signature_does_not_match, "a chunk has no chunk-signature");
        }
        std::optional<std::string> sig = parse_signature(extension.substr(kChunkSignature.size()));
        if (!sig) return fail(ErrorCode::invalid_request, "a chunk-signature is not 64 hexadecimal digits");
        chunk_signature_ = std::move(*sig);
    } else if (semi != std::string_view::npos) {
        return fail(ErrorCode::invalid_request, "a chunk of an unsigned payload carries an extension");
    }

    const std::uint64_t left = config_.decoded_length - decoded_;
    if (size > left) {
        return fail(ErrorCode::incomplete_body, "the chunks carry more than x-amz-decoded-content-length (" +
                                                    std::to_string(config_.decoded_length) + ") bytes");
    }
    line_.clear();
    if (size > 0) {
        remaining_ = size;
        state_ = State::chunk_data;
        return std::nullopt;
    }

    // The final, empty chunk.
    if (auto e = on_chunk_end()) return e;
    if (decoded_ != config_.decoded_length) {
        return fail(ErrorCode::incomplete_body, "the chunks carry " + std::to_string(decoded_) +
                                                    " bytes, x-amz-decoded-content-length says " +
                                                    std::to_string(config_.decoded_length));
    }
    state_ = has_trailer(config_.mode) ? State::trailer_lines : State::final_line;
    return std::nullopt;
}

// The current chunk's data is complete: check its signature, extend the chain.
std::optional<Error> ChunkedPayloadDecoder::on_chunk_end() {
    if (!has_signed_chunks(config_.mode)) return std::nullopt;
    std::string expected = chunk_signature(config_.signing, previous_signature_, chunk_hash_.finish());
    if (!signatures_equal(expected, chunk_signature_)) {
        return fail(ErrorCode::signature_does_not_match,
                    "the chunk ending at payload byte " + std::to_string(decoded_) +
                        " does not match its chunk-signature");
    }
    previous_signature_ = std::move(expected);
    return std::nullopt;
}

std::optional<Error> ChunkedPayloadDecoder::on_final_line() {
    if (!line_.empty()) {
        return fail(ErrorCode::invalid_request, "trailing headers are not allowed with x-amz-content-sha256: " +
                                                    std::string(payload_mode_literal(config_.mode)));
    }
    state_ = State::done;
    return std::nullopt;
}

std::optional<Error> ChunkedPayloadDecoder::on_trailer_line(std::string_view line) {
    trailer_bytes_ += line.size() + 2;
    if (trailer_bytes_ > config_.limits.max_trailer_bytes) {
        return fail(ErrorCode::invalid_request,
                    "the trailer is larger than " + std::to_string(config_.limits.max_trailer_bytes) + " bytes");
    }
    const std::size_t colon = line.find(':');
    const std::string_view raw_name = line.substr(0, colon);
    if (colon == std::string_view::npos || raw_name.empty() ||
        !std::all_of(raw_name.begin(), raw_name.end(), is_token_char)) {
        return fail(ErrorCode::invalid_request, "malformed trailer line " + quoted(line));
    }
    const std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && c != '\t') || b == 0x7F) {
            return fail(ErrorCode::invalid_request, "a trailer value contains a control character");
        }
    }
    std::string name = lower(raw_name);

    if (!trailer_signature_.empty()) {
        return fail(ErrorCode::invalid_request, "x-amz-trailer-signature must be the last trailer");
    }
    if (name == kTrailerSignature) {
        if (!has_signed_chunks(config_.mode)) {
            return fail(ErrorCode::invalid_request, "x-amz-trailer-signature in an unsigned payload");
        }
        std::optional<std::string> sig = parse_signature(value);
        if (!sig) return fail(ErrorCode::invalid_request, "x-amz-trailer-signature is not 64 hexadecimal digits");
        trailer_signature_ = std::move(*sig);
        return std::nullopt;
    }
    if (trailers_.size() >= config_.limits.max_trailers) {
        return fail(ErrorCode::invalid_request,
                    "more than " + std::to_string(config_.limits.max_trailers) + " trailing headers");
    }
    if (!config_.trailer_names.empty() &&
        std::find(config_.trailer_names.begin(), config_.trailer_names.end(), name) == config_.trailer_names.end()) {
        return fail(ErrorCode::invalid_request, "the trailer " + quoted(name) + " was not declared in x-amz-trailer");
    }
    if (trailer(name) != nullptr) {
        return fail(ErrorCode::invalid_request, "the trailer " + quoted(name) + " is repeated");
    }
    canonical_trailers_.append(name).append(":").append(value).append("\n");
    trailers_.push_back(http::Header{std::move(name), std::string(value)});
    return std::nullopt;
}

std::optional<Error> ChunkedPayloadDecoder::end_trailer() {
    if (has_signed_chunks(config_.mode)) {
        if (trailer_signature_.empty()) {
            return fail(ErrorCode::signature_does_not_match, "the trailer has no x-amz-trailer-signature");
        }
        const std::string expected = trailer_signature(config_.signing, previous_signature_, canonical_trailers_);
        if (!signatures_equal(expected, trailer_signature_)) {
            return fail(ErrorCode::signature_does_not_match, "the trailer does not match x-amz-trailer-signature");
        }
    }
    for (const std::string& name : config_.trailer_names) {
        if (trailer(name) == nullptr) {
            return fail(ErrorCode::incomplete_body,
                        "the trailer " + quoted(name) + " declared in x-amz-trailer is missing");
        }
    }
    state_ = State::done;
    return std::nullopt;
}

std::optional<Error> ChunkedPayloadDecoder::feed(std::span<const std::byte> input, const Sink& sink) {
    const std::byte* p = input.data();
    const std::byte* const end = p + input.size();
    std::optional<Error> error;
    while (p != end) {
        switch (state_) {
            case State::failed:
                return error_;
            case State::done:
                return fail(ErrorCode::invalid_request, "data after the end of the body");
            case State::chunk_header:
                if (!take_line(p, end, error)) return error;
                if (auto e = on_chunk_header()) return e;
                break;
            case State::chunk_data: {
                const std::size_t available = static_cast<std::size_t>(end - p);
                const std::size_t n = remaining_ < available ? static_cast<std::size_t>(remaining_) : available;
                const std::span<const std::byte> data(p, n);
                if (has_signed_chunks(config_.mode)) chunk_hash_.update(data);
                sink(data);
                p += n;
                remaining_ -= n;
                decoded_ += n;
                if (remaining_ == 0) {
                    if (auto e = on_chunk_end()) return e;
                    crlf_seen_ = 0;
                    state_ = State::chunk_data_end;
                }
                break;
            }
            case State::chunk_data_end:
                if (*p != std::byte{static_cast<unsigned char>("\r\n"[crlf_seen_])}) {
                    return fail(ErrorCode::invalid_request, "chunk data is not followed by CRLF");
                }
                ++p;
                if (++crlf_seen_ == 2) state_ = State::chunk_header;
                break;
            case State::final_line:
                if (!take_line(p, end, error)) return error;
                if (auto e = on_final_line()) return e;
                break;
            case State::trailer_maybe_end:
                state_ = State::trailer_lines;  // more is coming: the blank line was a separator
                [[fallthrough]];
            case State::trailer_lines: {
                if (!take_line(p, end, error)) return error;
                const std::string line = std::move(line_);
                line_.clear();
                if (!line.empty()) {
                    if (auto e = on_trailer_line(line)) return e;
                } else if (trailers_.empty() && trailer_signature_.empty() && trailer_bytes_ == 0) {
                    trailer_bytes_ = 2;  // only one blank line is taken as a separator
                    state_ = State::trailer_maybe_end;
                } else if (auto e = end_trailer()) {
                    return e;
                }
                break;
            }
        }
    }
    return std::nullopt;
}

std::optional<Error> ChunkedPayloadDecoder::feed(std::string_view input, std::string& out) {
    return feed(std::as_bytes(std::span<const char>(input.data(), input.size())),
                [&out](std::span<const std::byte> data) {
                    out.append(reinterpret_cast<const char*>(data.data()), data.size());
                });
}

std::optional<Error> ChunkedPayloadDecoder::finish() {
    switch (state_) {
        case State::failed:
            return error_;
        case State::done:
            return std::nullopt;
        case State::final_line:
            if (line_.empty()) {  // the final CRLF is missing
                state_ = State::done;
                return std::nullopt;
            }
            return fail(ErrorCode::incomplete_body, "the body ends inside its last line");
        case State::trailer_maybe_end:
            return end_trailer();
        case State::trailer_lines:
            if (!line_.empty()) {  // a last trailer line without CRLF
                std::string line = std::move(line_);
                line_.clear();
                if (line.back() == '\r') line.pop_back();
                if (!line.empty()) {
                    if (auto e = on_trailer_line(line)) return e;
                }
            }
            return end_trailer();
        case State::chunk_header:
        case State::chunk_data:
        case State::chunk_data_end:
            break;
    }
    return fail(ErrorCode::incomplete_body, "the body ends before its final chunk (" + std::to_string(decoded_) +
                                                " of " + std::to_string(config_.decoded_length) +
                                                " payload bytes received)");
}

}  // namespace shoal::auth
