// The HTTP/1.1 chunked transfer decoder, fed the same body twice: whole into
// a roomy buffer, then the way a connection feeds it (pieces of random sizes
// arriving, unconsumed bytes kept, a small output buffer). Both runs must
// agree on everything, never stall, and never take a byte past the body.
//
// Input: [8 bytes: split seed][1 byte: output buffer size][body...]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/chunked_decoder.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/splitter.hpp"

namespace {

using namespace shoal;

struct Outcome {
    bool done = false;
    bool failed = false;
    std::string error;
    std::string payload;
    std::uint64_t consumed = 0;  // body bytes the decoder took
    std::vector<http::Header> trailers;
};

Outcome decode(std::string_view body, std::size_t out_size, fuzz::Splitter* splitter) {
    http::ChunkedDecoder decoder;
    Outcome outcome;
    std::vector<char> out(out_size);
    std::string buffered;
    std::size_t arrived = 0;
    while (true) {
        if (!buffered.empty()) {
            const http::ChunkedDecoder::Step step = decoder.decode(buffered, out);
            FUZZ_CHECK(step.consumed <= buffered.size() && step.produced <= out.size(), "step out of bounds");
            FUZZ_CHECK(step.produced <= step.consumed, "more payload than input");
            FUZZ_CHECK(step.consumed > 0 || decoder.done() || decoder.failed(), "decoder stalled");
            outcome.payload.append(out.data(), step.produced);
            outcome.consumed += step.consumed;
            buffered.erase(0, step.consumed);
            if (decoder.done() || decoder.failed()) break;
            if (!buffered.empty()) continue;  // the output buffer was full
        }
        if (arrived == body.size()) break;
        const std::size_t n = splitter ? splitter->next(body.size() - arrived) : body.size() - arrived;
        buffered.append(body.substr(arrived, n));
        arrived += n;
    }
    if (decoder.failed()) {
        FUZZ_CHECK(!decoder.error().empty(), "failure without a reason");
        // Sticky: nothing more is consumed.
        const http::ChunkedDecoder::Step step = decoder.decode("0\r\n\r\n", out);
        FUZZ_CHECK(step.consumed == 0 && step.produced == 0 && decoder.failed(), "decoding after a failure");
    }
    if (decoder.done()) {
        const http::ChunkedDecoder::Step step = decoder.decode("GET / HTTP/1.1\r\n", out);
        FUZZ_CHECK(step.consumed == 0 && step.produced == 0, "decoding past the end of the body");
    }
    FUZZ_CHECK(decoder.payload_bytes() == outcome.payload.size(), "payload_bytes");
    outcome.done = decoder.done();
    outcome.failed = decoder.failed();
    outcome.error = decoder.error();
    outcome.trailers = decoder.trailers();
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 9) return 0;
    std::uint64_t seed = 0;
    std::memcpy(&seed, data, sizeof seed);
    const std::size_t out_size = 1 + data[8] % 64;
    const std::string_view body = fuzz::as_text(data + 9, size - 9);

    const Outcome whole = decode(body, body.size() + 1, nullptr);
    fuzz::Splitter splitter(seed);
    const Outcome split = decode(body, out_size, &splitter);

    FUZZ_CHECK(whole.done == split.done && whole.failed == split.failed, "outcome depends on the split");
    FUZZ_CHECK(whole.error == split.error, whole.error + " / " + split.error);
    FUZZ_CHECK(whole.payload == split.payload, "payload depends on the split");
    FUZZ_CHECK(whole.consumed == split.consumed, "consumed bytes depend on the split");
    FUZZ_CHECK(whole.trailers.size() == split.trailers.size(), "trailers depend on the split");
    for (std::size_t i = 0; i < whole.trailers.size(); ++i) {
        FUZZ_CHECK(whole.trailers[i].name == split.trailers[i].name &&
                       whole.trailers[i].value == split.trailers[i].value,
                   "trailers depend on the split");
    }
    if (whole.done) {
        // The body ends with the blank line closing the trailer section.
        FUZZ_CHECK(whole.consumed >= 5 && body.substr(whole.consumed - 2, 2) == "\r\n", "end of body");
        FUZZ_CHECK(whole.trailers.size() * 3 + 5 <= whole.consumed, "trailers");
    }
    // Trailers obey the grammar of header fields.
    for (const http::Header& h : whole.trailers) {
        FUZZ_CHECK(http::is_token(h.name), h.name);
        FUZZ_CHECK(http::is_field_value(h.value), h.value);
    }
    return 0;
}
