#include <catch2/catch.hpp>

#include <array>

#include "core/http/chunked_decoder.hpp"

using namespace shoal::http;

namespace {

// Feeds `input` in pieces of `piece` bytes through an output window of `window`
// bytes; returns the payload, and how much input was left unconsumed.
struct Decoded {
    std::string payload;
    std::string rest;
    bool done;
    bool failed;
};

Decoded decode_all(std::string_view input, std::size_t piece, std::size_t window, ChunkedDecoder& decoder) {
    Decoded result{};
    std::string out(window, '\0');
    std::string pending;  // fed but not consumed
    std::size_t fed = 0;
    while (!decoder.done() && !decoder.failed()) {
        if (fed < input.size()) {
            const std::size_t n = std::min(piece, input.size() - fed);
            pending.append(input.substr(fed, n));
            fed += n;
        }
        const ChunkedDecoder::Step step = decoder.decode(pending, out);
        pending.erase(0, step.consumed);
        result.payload.append(out.data(), step.produced);
        if (step.consumed == 0 && step.produced == 0 && fed == input.size()) break;
    }
    result.rest = pending + std::string(input.substr(fed));
    result.done = decoder.done();
    result.failed = decoder.failed();
    return result;
}

}  // namespace

TEST_CASE("chunked bodies decode whatever the input and output split", "[http]") {
    const std::string body =
        "4\r\nWiki\r\n5;name=value\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nx-amz-checksum-crc32: AAAAAA==\r\n\r\n"
        "GET /next HTTP/1.1\r\n";
    for (std::size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
        for (std::size_t window : {1u, 4u, 64u}) {
            ChunkedDecoder decoder;
            const Decoded d = decode_all(body, piece, window, decoder);
            INFO("piece " << piece << " window " << window);
            REQUIRE(d.done);
            CHECK(d.payload == "Wikipedia in\r\n\r\nchunks.");
            CHECK(decoder.payload_bytes() == d.payload.size());
            CHECK(d.rest == "GET /next HTTP/1.1\r\n");  // the next request is left alone
            REQUIRE(decoder.trailers().size() == 1);
            CHECK(decoder.trailers()[0].name == "x-amz-checksum-crc32");
            CHECK(decoder.trailers()[0].value == "AAAAAA==");
        }
    }
}

TEST_CASE("an empty chunked body is just the last chunk", "[http]") {
    ChunkedDecoder decoder;
    const Decoded d = decode_all("0\r\n\r\n", 1, 8, decoder);
    CHECK(d.done);
    CHECK(d.payload.empty());
}

TEST_CASE("malformed chunked bodies fail with a reason", "[http]") {
    for (const char* bad : {"g\r\nabc\r\n0\r\n\r\n", "\r\n", "3\r\nabcd\r\n0\r\n\r\n", "3\nabc\r\n0\r\n\r\n",
                            "1000000000000000\r\n", "0\r\nno-colon\r\n\r\n", "0\r\n: v\r\n\r\n"}) {
        ChunkedDecoder decoder;
        const Decoded d = decode_all(bad, 1, 16, decoder);
        INFO(bad);
        CHECK(d.failed);
        CHECK_FALSE(decoder.error().empty());
    }
}

TEST_CASE("chunk lines and trailers are bounded", "[http]") {
    ChunkedDecoder long_line;
    const std::string ext = "1;" + std::string(ChunkedDecoder::kMaxLineBytes, 'x');
    CHECK(decode_all(ext, 100, 16, long_line).failed);

    ChunkedDecoder many_trailers;
    std::string trailers = "0\r\n";
    for (int i = 0; i < 2000; ++i) trailers += "x-t: 0123456789\r\n";
    CHECK(decode_all(trailers + "\r\n", 512, 16, many_trailers).failed);
}

TEST_CASE("the decoder consumes nothing after completion or failure", "[http]") {
    ChunkedDecoder decoder;
    std::array<char, 8> out{};
    const auto step = decoder.decode("0\r\n\r\nEXTRA", out);
    CHECK(step.consumed == 5);
    CHECK(decoder.done());
    CHECK(decoder.decode("more", out).consumed == 0);
}

// Found by tests/fuzz/http_chunked_fuzzer: a bare CR (or another control
// character) in a trailer value, or a trailer name that is not a token, was
// kept and handed to whoever reads the trailers.
TEST_CASE("trailer fields and chunk-size lines follow the header field grammar", "[http]") {
    for (const char* bad : {"0\r\nx-amz-checksum-crc32: AAAA\r==\r\n\r\n", "0\r\nx-a: b\x01\r\n\r\n",
                            "0\r\nbad name: v\r\n\r\n", "0\r\nx-a\t: v\r\n\r\n", "3;a\rb\r\nabc\r\n0\r\n\r\n",
                            "3;a=\x7f\r\nabc\r\n0\r\n\r\n"}) {
        ChunkedDecoder decoder;
        const Decoded d = decode_all(bad, 1, 16, decoder);
        INFO(bad);
        CHECK(d.failed);
        CHECK(decoder.trailers().empty());
    }
    ChunkedDecoder decoder;
    const Decoded d = decode_all("3;name=\"a b\"\r\nabc\r\n0\r\nx-a: \tv\xc3\xa9 w\t\r\n\r\n", 2, 16, decoder);
    REQUIRE(d.done);
    CHECK(d.payload == "abc");
    REQUIRE(decoder.trailers().size() == 1);
    CHECK(decoder.trailers()[0].value == "v\xc3\xa9 w");
}
