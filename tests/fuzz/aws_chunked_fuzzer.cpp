// The aws-chunked payload decoder (SigV4 streaming bodies) with a fixed
// signing context, in two ways chosen by the first byte:
//
// - raw: the rest of the input is the body, for a random mode and
//   x-amz-decoded-content-length;
// - generated: a valid body is built from the input (payload, chunk sizes,
//   trailers) with the client encoder, then 0-3 byte mutations are applied.
//   An unmutated body must decode to its payload and trailers; in the signed
//   modes, a mutated body that still decodes must carry the same payload and
//   trailers (a signature can only be matched by what was signed).
//
// Every body is decoded twice, whole and in random pieces; both runs must agree.
//
// Input (FuzzedDataProvider: integers come from the end): flags (bits 0-1
// mode, 2 generated, 3 small limits, 4 huge decoded length, 5 declared
// trailer names), split seed, then the generator's choices or the raw body.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/chunked_payload_decoder.hpp"
#include "core/auth/chunked_payload_encoder.hpp"
#include "core/auth/signing_key.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/splitter.hpp"

namespace {

using namespace shoal;
using auth::PayloadMode;

constexpr PayloadMode kModes[] = {PayloadMode::streaming_signed, PayloadMode::streaming_signed_trailer,
                                  PayloadMode::streaming_unsigned_trailer};
constexpr std::string_view kTrailerNames[] = {"x-amz-checksum-crc32", "x-amz-checksum-crc32c",
                                              "x-amz-checksum-sha256", "x-amz-checksum-sha1", "x-amz-meta-note"};

auth::StreamingContext signing_context() {
    const auth::CredentialScope scope{"20130524", "us-east-1", "s3"};
    auth::StreamingContext c;
    c.key = auth::derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", scope);
    c.amz_date = "20130524T000000Z";
    c.scope = scope.to_string();
    c.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    return c;
}

struct Outcome {
    std::optional<auth::Error> error;
    std::string payload;
    std::vector<http::Header> trailers;
    bool complete = false;
};

Outcome decode(const auth::ChunkedPayloadDecoder::Config& config, std::string_view body,
               fuzz::Splitter* splitter) {
    auth::ChunkedPayloadDecoder decoder(config);
    Outcome outcome;
    std::size_t fed = 0;
    while (fed < body.size() && !outcome.error) {
        const std::size_t n = splitter ? splitter->next(body.size() - fed) : body.size() - fed;
        outcome.error = decoder.feed(body.substr(fed, n), outcome.payload);
        fed += n;
    }
    if (!outcome.error) outcome.error = decoder.finish();
    if (outcome.error) {
        FUZZ_CHECK(!outcome.error->message.empty(), "error without a message");
        // Sticky: no more payload, the same error.
        std::string more;
        const auto again = decoder.feed("0\r\n\r\n", more);
        FUZZ_CHECK(again && again->code == outcome.error->code && more.empty(), "error not sticky");
        FUZZ_CHECK(decoder.finish().has_value(), "error not sticky");
    } else {
        FUZZ_CHECK(decoder.complete(), "finish() accepted an incomplete body");
        FUZZ_CHECK(outcome.payload.size() == config.decoded_length, "decoded length");
        for (const std::string& name : config.trailer_names) {
            FUZZ_CHECK(decoder.trailer(name) != nullptr, "declared trailer missing");
        }
    }
    FUZZ_CHECK(decoder.decoded_bytes() == outcome.payload.size(), "decoded_bytes");
    FUZZ_CHECK(outcome.payload.size() <= config.decoded_length, "more payload than declared");
    FUZZ_CHECK(decoder.trailers().size() <= config.limits.max_trailers, "trailer count");
    for (const http::Header& h : decoder.trailers()) {
        FUZZ_CHECK(!h.name.empty() && h.name != "x-amz-trailer-signature", h.name);
        for (char c : h.name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "trailer name not lowercased");
        for (char c : h.value) FUZZ_CHECK(c != '\r' && c != '\n', "CR/LF in a trailer value");
    }
    outcome.trailers = decoder.trailers();
    outcome.complete = decoder.complete();
    return outcome;
}

bool same(const Outcome& a, const Outcome& b) {
    if (a.error.has_value() != b.error.has_value() || a.payload != b.payload || a.complete != b.complete) return false;
    if (a.error && (a.error->code != b.error->code || a.error->message != b.error->message)) return false;
    if (a.trailers.size() != b.trailers.size()) return false;
    for (std::size_t i = 0; i < a.trailers.size(); ++i) {
        if (a.trailers[i].name != b.trailers[i].name || a.trailers[i].value != b.trailers[i].value) return false;
    }
    return true;
}

std::string printable(std::string s) {
    for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = 'x';
    }
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto flags = in.ConsumeIntegral<std::uint8_t>();
    const std::uint64_t split_seed = in.ConsumeIntegral<std::uint64_t>();

    auth::ChunkedPayloadDecoder::Config config;
    config.mode = kModes[(flags & 3) % 3];
    config.signing = signing_context();
    if (flags & 8) config.limits = auth::ChunkDecoderLimits{96, 256, 2};
    const bool generated = (flags & 4) != 0;

    std::string body;
    std::string payload;
    std::vector<http::Header> trailers;
    bool mutated = false;
    if (!generated) {
        config.decoded_length = (flags & 16) ? in.ConsumeIntegral<std::uint64_t>()
                                             : in.ConsumeIntegralInRange<std::uint64_t>(0, 4096);
        if (flags & 32) config.trailer_names = {"x-amz-checksum-crc32"};
        body = in.ConsumeRemainingBytesAsString();
    } else {
        payload = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<std::size_t>(0, 2048));
        config.decoded_length = payload.size();
        auth::ChunkedPayloadEncoder encoder(config.mode, config.signing);
        for (std::size_t done = 0; done < payload.size();) {
            // (Once the input is used up, the rest is one chunk, not one byte per chunk.)
            const std::size_t left = payload.size() - done;
            const std::size_t n =
                in.remaining_bytes() > 0 ? std::min(left, in.ConsumeIntegralInRange<std::size_t>(1, 700)) : left;
            body += encoder.chunk(std::string_view(payload).substr(done, n));
            done += n;
        }
        if (auth::has_trailer(config.mode)) {
            const std::size_t count = in.ConsumeIntegralInRange<std::size_t>(0, 3);
            for (std::size_t i = 0; i < count && i < config.limits.max_trailers; ++i) {
                const std::string name(kTrailerNames[(in.ConsumeIntegral<std::uint8_t>() + i) % std::size(kTrailerNames)]);
                const bool repeated = std::any_of(trailers.begin(), trailers.end(),
                                                  [&](const http::Header& h) { return h.name == name; });
                if (!repeated) trailers.push_back(http::Header{name, printable(in.ConsumeRandomLengthString(40))});
            }
            if (flags & 32) {
                for (const http::Header& h : trailers) config.trailer_names.push_back(h.name);
            }
        }
        body += encoder.finish(trailers);
        const std::size_t mutations = in.ConsumeIntegralInRange<std::size_t>(0, 3);
        for (std::size_t i = 0; i < mutations; ++i) {
            const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, body.size());
            const auto byte = static_cast<char>(in.ConsumeIntegral<std::uint8_t>());
            switch (in.ConsumeIntegralInRange<int>(0, 3)) {
                case 0: if (at < body.size()) body[at] = byte; break;
                case 1: body.insert(body.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
                case 2: if (at < body.size()) body.erase(at, 1); break;
                default: body.resize(at); break;  // truncated
            }
        }
        mutated = mutations > 0;
    }

    const Outcome whole = decode(config, body, nullptr);
    fuzz::Splitter splitter(split_seed);
    const Outcome pieces = decode(config, body, &splitter);
    FUZZ_CHECK(same(whole, pieces), "the outcome depends on how the body was split");

    if (generated) {
        if (!mutated) {
            FUZZ_CHECK(!whole.error, whole.error->message);
        }
        const bool integrity = auth::has_signed_chunks(config.mode) || !mutated;
        if (integrity && !whole.error) {
            FUZZ_CHECK(whole.payload == payload, "a body that verifies carries another payload");
            if (auth::has_trailer(config.mode)) {
                FUZZ_CHECK(whole.trailers.size() == trailers.size(), "a body that verifies carries other trailers");
                for (std::size_t i = 0; i < trailers.size(); ++i) {
                    FUZZ_CHECK(whole.trailers[i].name == trailers[i].name &&
                                   whole.trailers[i].value == trailers[i].value,
                               "a body that verifies carries other trailers: " + whole.trailers[i].name + ":" +
                                   whole.trailers[i].value);
                }
            }
        }
    }
    return 0;
}
