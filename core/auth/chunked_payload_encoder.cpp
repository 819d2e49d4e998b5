#include "core/auth/chunked_payload_encoder.hpp"

#include <cstdio>
#include <utility>

#include "core/hash/sha256.hpp"

namespace shoal::auth {
namespace {

constexpr std::uint64_t kSignatureExtension = 17 + 64;  // ";chunk-signature=" + hex
constexpr std::uint64_t kTrailerSignatureLine = 24 + 64 + 2;  // "x-amz-trailer-signature:" + hex + CRLF

std::string hex_size(std::uint64_t size) {
    char buffer[20];
    std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(size));
    return buffer;
}

}  // namespace

ChunkedPayloadEncoder::ChunkedPayloadEncoder(PayloadMode mode, StreamingContext signing)
    : mode_(mode), signing_(std::move(signing)), previous_signature_(signing_.seed_signature) {}

std::string ChunkedPayloadEncoder::chunk(std::string_view data) {
    std::string out = hex_size(data.size());
    if (has_signed_chunks(mode_)) {
        previous_signature_ = chunk_signature(signing_, previous_signature_, hash::sha256(data));
        out += ";chunk-signature=" + previous_signature_;
    }
    out += "\r\n";
    out += data;
    out += "\r\n";
    return out;
}

std::string ChunkedPayloadEncoder::finish(const std::vector<http::Header>& trailers) {
    std::string out = chunk("");
    out.resize(out.size() - 2);  // the final chunk has no data, hence no data CRLF
    std::string canonical;
    for (const http::Header& h : trailers) {
        out += h.name + ":" + h.value + "\r\n";
        canonical += h.name + ":" + h.value + "\n";
    }
    if (mode_ == PayloadMode::streaming_signed_trailer) {
        out += "x-amz-trailer-signature:" + trailer_signature(signing_, previous_signature_, canonical) + "\r\n";
    }
    out += "\r\n";
    return out;
}

std::uint64_t ChunkedPayloadEncoder::encoded_length(PayloadMode mode, std::uint64_t decoded_length,
                                                    std::uint64_t chunk_size,
                                                    const std::vector<http::Header>& trailers) {
    const std::uint64_t extension = has_signed_chunks(mode) ? kSignatureExtension : 0;
    const auto framed = [&](std::uint64_t size) {
        return hex_size(size).size() + extension + 2 + size + 2;
    };
    std::uint64_t total = 0;
    if (chunk_size > 0) {
        total += (decoded_length / chunk_size) * framed(chunk_size);
        if (decoded_length % chunk_size != 0) total += framed(decoded_length % chunk_size);
    }
    total += framed(0) - 2;  // the final chunk
    for (const http::Header& h : trailers) total += h.name.size() + 1 + h.value.size() + 2;
    if (mode == PayloadMode::streaming_signed_trailer) total += kTrailerSignatureLine;
    return total + 2;
}

}  // namespace shoal::auth
