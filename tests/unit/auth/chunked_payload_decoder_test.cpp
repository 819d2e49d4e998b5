#include <catch2/catch.hpp>

#include <random>

#include "auth_test_support.hpp"
#include "core/auth/chunked_payload_decoder.hpp"
#include "core/hash/crc32.hpp"
#include "core/hash/encoding.hpp"

using namespace shoal::auth;
using namespace shoal::auth::test;

namespace {

// The AWS documentation's chunked upload example: 66560 'a' in chunks of 64 KiB and 1 KiB.
const std::string kStreamingHead =
    "PUT /examplebucket/chunkObject.txt HTTP/1.1\n"
    "Host: s3.amazonaws.com\n"
    "x-amz-date: 20130524T000000Z\n"
    "x-amz-storage-class: REDUCED_REDUNDANCY\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
    "x-amz-decoded-content-length;x-amz-storage-class,"
    "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\n"
    "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\n"
    "Content-Encoding: aws-chunked\n"
    "x-amz-decoded-content-length: 66560\n"
    "Content-Length: 66824\n";

const std::string kPayload(66560, 'a');

std::string streaming_body() {
    return "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
           std::string(65536, 'a') +
           "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
           std::string(1024, 'a') +
           "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

// The AWS documentation's trailer example: the same payload, a signed CRC32C trailer.
const std::string kTrailerHead =
    "PUT /examplebucket/chunkObject.txt HTTP/1.1\n"
    "Host: s3.amazonaws.com\n"
    "x-amz-date: 20130524T000000Z\n"
    "x-amz-storage-class: REDUCED_REDUNDANCY\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
    "x-amz-storage-class;x-amz-trailer,"
    "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e\n"
    "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER\n"
    "Content-Encoding: aws-chunked\n"
    "x-amz-decoded-content-length: 66560\n"
    "x-amz-trailer: x-amz-checksum-crc32c\n"
    "Content-Length: 66943\n";

const std::string kTrailerSignatureLine =
    "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n";

std::string trailer_body(std::string_view after_final_chunk = "") {
    return "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
           std::string(65536, 'a') +
           "\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
           std::string(1024, 'a') +
           "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
           std::string(after_final_chunk) + "x-amz-checksum-crc32c:sOO8/Q==\r\n" + kTrailerSignatureLine + "\r\n";
}

// An unsigned-trailer body as the AWS CLI sends it, with a real CRC-32.
const std::string kUnsignedTrailerHead =
    "PUT /bucket/key HTTP/1.1\n"
    "Host: s3.amazonaws.com\n"
    "x-amz-date: 20130524T000000Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer,"
    "Signature=";

std::string unsigned_trailer_body() {
    return "10000\r\n" + std::string(65536, 'a') + "\r\n400\r\n" + std::string(1024, 'a') +
           "\r\n0\r\nx-amz-checksum-crc32:sK4Y7A==\r\n\r\n";
}

ChunkedPayloadDecoder::Config unsigned_config(std::uint64_t length, std::vector<std::string> trailers = {}) {
    ChunkedPayloadDecoder::Config c;
    c.mode = PayloadMode::streaming_unsigned_trailer;
    c.decoded_length = length;
    c.trailer_names = std::move(trailers);
    return c;
}

ChunkedPayloadDecoder decoder_for(const std::string& head) {
    return ChunkedPayloadDecoder(verify_ok(request(head)));
}

// Feeds body in pieces of `step` bytes (0: all at once); the first error, if any.
std::optional<Error> decode(ChunkedPayloadDecoder& d, std::string_view body, std::size_t step, std::string& out) {
    if (step == 0) step = body.size() + 1;
    for (std::size_t i = 0; i < body.size(); i += step) {
        if (auto e = d.feed(body.substr(i, step), out)) return e;
    }
    return d.finish();
}

ErrorCode decode_error(ChunkedPayloadDecoder d, std::string_view body, std::size_t step = 0) {
    std::string out;
    const std::optional<Error> e = decode(d, body, step, out);
    if (!e) FAIL("the body decoded, an error was expected");
    INFO(e->code_name() << ": " << e->message);
    CHECK(e->message.find("aws-chunked body: ") == 0);
    return e->code;
}

std::string flip(std::string s, std::size_t at) {
    s[at] = static_cast<char>(s[at] ^ 1);
    return s;
}

}  // namespace

TEST_CASE("the AWS chunked upload example decodes, whole and one byte at a time", "[auth]") {
    const Authenticated a = verify_ok(request(kStreamingHead));
    CHECK(a.payload_mode == PayloadMode::streaming_signed);
    CHECK(a.decoded_content_length == 66560);
    CHECK(a.streaming.seed_signature == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
    const std::string body = streaming_body();
    REQUIRE(body.size() == 66824);  // the example's Content-Length
    for (std::size_t step : {0u, 1u, 2u, 7u, 100u, 4096u, 65537u}) {
        INFO("step " << step);
        ChunkedPayloadDecoder d(a);
        std::string out;
        CHECK_FALSE(decode(d, body, step, out).has_value());
        CHECK(out == kPayload);
        CHECK(d.complete());
        CHECK(d.decoded_bytes() == 66560);
        CHECK(d.trailers().empty());
    }
}

TEST_CASE("random split points and the byte-span sink give the same payload", "[auth]") {
    const std::string body = streaming_body();
    std::mt19937 rng(1234);
    for (int round = 0; round < 20; ++round) {
        ChunkedPayloadDecoder d = decoder_for(kStreamingHead);
        std::string out;
        std::size_t i = 0;
        while (i < body.size()) {
            const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 3000)(rng);
            const std::string_view piece = std::string_view(body).substr(i, n);
            const auto bytes = std::as_bytes(std::span<const char>(piece.data(), piece.size()));
            REQUIRE_FALSE(d.feed(bytes, [&](std::span<const std::byte> data) {
                              out.append(reinterpret_cast<const char*>(data.data()), data.size());
                          }).has_value());
            i += n;
        }
        REQUIRE_FALSE(d.finish().has_value());
        CHECK(out == kPayload);
    }
}

TEST_CASE("a tampered chunk byte or chunk signature fails the chunk", "[auth]") {
    const std::string body = streaming_body();
    const std::size_t first_data = body.find("\r\n") + 2;
    CHECK(decode_error(decoder_for(kStreamingHead), flip(body, first_data + 1000)) ==
          ErrorCode::signature_does_not_match);
    CHECK(decode_error(decoder_for(kStreamingHead), flip(body, body.size() - 100), 1) ==
          ErrorCode::signature_does_not_match);  // in the second chunk
    std::string sig = body;
    sig.replace(sig.find("ad80c730"), 8, "ad80c731");
    CHECK(decode_error(decoder_for(kStreamingHead), sig) == ErrorCode::signature_does_not_match);
    std::string final_sig = body;
    final_sig.replace(final_sig.find("b6c6ea8a"), 8, "b6c6ea8b");
    CHECK(decode_error(decoder_for(kStreamingHead), final_sig) == ErrorCode::signature_does_not_match);
    // A chunk signed for another position of the chain (chunks swapped) fails too.
    const std::size_t second = body.find("400;");
    const std::size_t final_chunk = body.find("0;chunk-signature=b6c6");
    const std::string swapped = body.substr(second, final_chunk - second) + body.substr(0, second) +
                                body.substr(final_chunk);
    CHECK(decode_error(decoder_for(kStreamingHead), swapped) == ErrorCode::signature_does_not_match);
}

TEST_CASE("a dropped chunk breaks the signature chain", "[auth]") {
    const std::string body = streaming_body();
    const std::size_t second = body.find("400;");
    const std::size_t final_chunk = body.find("0;chunk-signature=b6c6");
    ChunkedPayloadDecoder::Config c;
    c.mode = PayloadMode::streaming_signed;
    c.signing = verify_ok(request(kStreamingHead)).streaming;
    c.decoded_length = 65536;
    CHECK(decode_error(ChunkedPayloadDecoder(c), body.substr(0, second) + body.substr(final_chunk)) ==
          ErrorCode::signature_does_not_match);
}

TEST_CASE("the payload total must equal x-amz-decoded-content-length", "[auth]") {
    const std::string body = streaming_body();
    ChunkedPayloadDecoder::Config c;
    c.mode = PayloadMode::streaming_signed;
    c.signing = verify_ok(request(kStreamingHead)).streaming;
    c.decoded_length = 66561;  // one more than sent: caught at the final chunk
    CHECK(decode_error(ChunkedPayloadDecoder(c), body) == ErrorCode::incomplete_body);
    c.decoded_length = 66559;  // one less: caught at the header of the chunk that goes beyond
    ChunkedPayloadDecoder short_decoder(c);
    std::string out;
    const auto e = decode(short_decoder, body, 0, out);
    REQUIRE(e.has_value());
    CHECK(e->code == ErrorCode::incomplete_body);
    CHECK(out.size() == 65536);  // the second chunk was never released
}

TEST_CASE("an oversized chunk-size line fails cleanly at the limit", "[auth]") {
    for (std::size_t step : {0u, 1u}) {
        ChunkedPayloadDecoder d = decoder_for(kStreamingHead);
        std::string out;
        const std::string endless(100000, '1');
        std::optional<Error> e;
        std::size_t fed = 0;
        for (std::size_t i = 0; i < endless.size() && !e; i += step ? step : endless.size()) {
            const std::size_t n = step ? step : endless.size();
            e = d.feed(std::string_view(endless).substr(i, n), out);
            fed = i + n;
        }
        REQUIRE(e.has_value());
        CHECK(e->code == ErrorCode::invalid_request);
        if (step == 1) CHECK(fed == ChunkDecoderLimits{}.max_line_bytes + 1);  // refused as soon as it is too long
        CHECK(out.empty());
    }
    // A long chunk-extension line too, and a smaller configured limit.
    ChunkedPayloadDecoder::Config c = unsigned_config(10);
    c.limits.max_line_bytes = 16;
    CHECK(decode_error(ChunkedPayloadDecoder(c), std::string(1, 'a').append(20, '0').append("\r\n")) ==
          ErrorCode::invalid_request);
    // More than 16 hex digits can never be a 64-bit size, whatever the line limit.
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(10)), "00000000000000000000a\r\n") ==
          ErrorCode::invalid_request);
}

TEST_CASE("malformed framing is refused with a clear error", "[auth]") {
    const std::string body = streaming_body();
    std::string bad_size = body;
    bad_size.replace(0, 5, "1000g");
    CHECK(decode_error(decoder_for(kStreamingHead), bad_size) == ErrorCode::invalid_request);
    std::string no_signature = body;
    no_signature.replace(0, body.find("\r\n"), "10000");
    CHECK(decode_error(decoder_for(kStreamingHead), no_signature) == ErrorCode::signature_does_not_match);
    std::string short_signature = body;
    short_signature.erase(body.find("\r\n") - 1, 1);
    CHECK(decode_error(decoder_for(kStreamingHead), short_signature) == ErrorCode::invalid_request);
    std::string bare_lf = body;
    bare_lf.erase(body.find("\r\n"), 1);
    CHECK(decode_error(decoder_for(kStreamingHead), bare_lf) == ErrorCode::invalid_request);
    std::string no_data_crlf = body;
    no_data_crlf.erase(body.find("\r\n400;"), 2);
    CHECK(decode_error(decoder_for(kStreamingHead), no_data_crlf) == ErrorCode::invalid_request);
    // A trailer where the form has none.
    CHECK(decode_error(decoder_for(kStreamingHead), body.substr(0, body.size() - 2) + "x-amz-meta-a:b\r\n\r\n") ==
          ErrorCode::invalid_request);
    // Bytes after the end.
    CHECK(decode_error(decoder_for(kStreamingHead), body + "x") == ErrorCode::invalid_request);
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(3)), "0x3\r\nabc\r\n0\r\n\r\n") ==
          ErrorCode::invalid_request);
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(0)), "\r\n") == ErrorCode::invalid_request);
}

TEST_CASE("a body that ends early is IncompleteBody", "[auth]") {
    const std::string body = streaming_body();
    for (std::size_t cut : {std::size_t{0}, std::size_t{10}, std::size_t{100}, std::size_t{65625},
                            body.size() - 90, body.size() - 3}) {
        INFO("cut at " << cut);
        CHECK(decode_error(decoder_for(kStreamingHead), body.substr(0, cut)) == ErrorCode::incomplete_body);
    }
    // Only the last CRLF missing is tolerated: every chunk was verified.
    ChunkedPayloadDecoder d = decoder_for(kStreamingHead);
    std::string out;
    CHECK_FALSE(decode(d, body.substr(0, body.size() - 2), 0, out).has_value());
    CHECK(out == kPayload);
}

TEST_CASE("errors are sticky: nothing more is decoded after one", "[auth]") {
    ChunkedPayloadDecoder d = decoder_for(kStreamingHead);
    std::string out;
    const auto first = d.feed("zz;chunk-signature=x\r\n", out);
    REQUIRE(first.has_value());
    const auto again = d.feed(streaming_body(), out);
    REQUIRE(again.has_value());
    CHECK(again->message == first->message);
    CHECK(d.finish()->message == first->message);
    CHECK(out.empty());
    CHECK_FALSE(d.complete());
}

TEST_CASE("a decoder for a non-streaming request refuses to decode", "[auth]") {
    Authenticated a;
    a.payload_mode = PayloadMode::unsigned_payload;
    ChunkedPayloadDecoder d(a);
    std::string out;
    const auto e = d.feed("0\r\n\r\n", out);
    REQUIRE(e.has_value());
    CHECK(e->code == ErrorCode::invalid_request);
}

TEST_CASE("the AWS trailer example decodes and exposes its signed trailer", "[auth]") {
    const Authenticated a = verify_ok(request(kTrailerHead));
    CHECK(a.payload_mode == PayloadMode::streaming_signed_trailer);
    CHECK(a.trailer_names == std::vector<std::string>{"x-amz-checksum-crc32c"});
    for (std::size_t step : {0u, 1u, 1000u}) {
        INFO("step " << step);
        ChunkedPayloadDecoder d(a);
        std::string out;
        CHECK_FALSE(decode(d, trailer_body(), step, out).has_value());
        CHECK(out == kPayload);
        REQUIRE(d.trailers().size() == 1);
        CHECK(d.trailers()[0].name == "x-amz-checksum-crc32c");
        REQUIRE(d.trailer("X-Amz-Checksum-CRC32C") != nullptr);
        CHECK(*d.trailer("x-amz-checksum-crc32c") == "sOO8/Q==");
    }
}

TEST_CASE("the signed trailer is verified", "[auth]") {
    const std::string body = trailer_body();
    std::string value = body;
    value.replace(value.find("sOO8/Q=="), 8, "sOO8/R==");
    CHECK(decode_error(decoder_for(kTrailerHead), value) == ErrorCode::signature_does_not_match);
    std::string sig = body;
    sig.replace(sig.find("d81f82fc"), 8, "d81f82fd");
    CHECK(decode_error(decoder_for(kTrailerHead), sig) == ErrorCode::signature_does_not_match);
    std::string missing_sig = body;
    missing_sig.erase(missing_sig.find(kTrailerSignatureLine), kTrailerSignatureLine.size());
    CHECK(decode_error(decoder_for(kTrailerHead), missing_sig) == ErrorCode::signature_does_not_match);
    std::string after_sig = body;
    after_sig.insert(after_sig.size() - 2, "x-amz-meta-a:b\r\n");
    CHECK(decode_error(decoder_for(kTrailerHead), after_sig) == ErrorCode::invalid_request);
}

TEST_CASE("trailers must be the declared ones", "[auth]") {
    std::string undeclared = trailer_body();
    undeclared.replace(undeclared.find("x-amz-checksum-crc32c:"), 22, "x-amz-checksum-crc32:");
    CHECK(decode_error(decoder_for(kTrailerHead), undeclared) == ErrorCode::invalid_request);
    const std::string body = trailer_body();
    const std::size_t crc = body.find("x-amz-checksum-crc32c:");
    std::string repeated = body;
    repeated.insert(crc, "x-amz-checksum-crc32c:sOO8/Q==\r\n");
    CHECK(decode_error(decoder_for(kTrailerHead), repeated) == ErrorCode::invalid_request);
    // Declared but absent.
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(3, {"x-amz-checksum-crc32"})), "3\r\nabc\r\n0\r\n\r\n") ==
          ErrorCode::incomplete_body);
}

TEST_CASE("variants seen from clients: a blank line before the trailer, no final CRLF", "[auth]") {
    // An empty line between the final chunk and the trailer.
    ChunkedPayloadDecoder d = decoder_for(kTrailerHead);
    std::string out;
    CHECK_FALSE(decode(d, trailer_body("\r\n"), 1, out).has_value());
    CHECK(*d.trailer("x-amz-checksum-crc32c") == "sOO8/Q==");
    // The trailer's last CRLF and blank line missing.
    const std::string body = trailer_body();
    for (std::size_t cut : {2u, 4u}) {
        ChunkedPayloadDecoder e = decoder_for(kTrailerHead);
        std::string out2;
        CHECK_FALSE(decode(e, body.substr(0, body.size() - cut), 0, out2).has_value());
        CHECK(e.complete());
    }
    // Two blank lines are one too many: the second ends an empty trailer, which lacks its signature.
    CHECK(decode_error(decoder_for(kTrailerHead), trailer_body("\r\n\r\n")) == ErrorCode::signature_does_not_match);
}

TEST_CASE("STREAMING-UNSIGNED-PAYLOAD-TRAILER: plain chunks, a checksum trailer", "[auth]") {
    ChunkedPayloadDecoder::Config c = unsigned_config(66560, {"x-amz-checksum-crc32"});
    for (std::size_t step : {0u, 1u}) {
        ChunkedPayloadDecoder d(c);
        std::string out;
        CHECK_FALSE(decode(d, unsigned_trailer_body(), step, out).has_value());
        CHECK(out == kPayload);
        // The caller checks the checksum it computed over the payload.
        shoal::hash::Crc32 crc;
        crc.update(out);
        const auto digest = crc.digest();
        REQUIRE(d.trailer("x-amz-checksum-crc32") != nullptr);
        CHECK(*d.trailer("x-amz-checksum-crc32") == shoal::hash::base64_encode(std::span<const std::uint8_t>(digest)));
    }
    // Chunk signatures and trailer signatures have no place in the unsigned form.
    CHECK(decode_error(ChunkedPayloadDecoder(c), std::string("3;chunk-signature=").append(64, 'a').append("\r\nabc\r\n")) ==
          ErrorCode::invalid_request);
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(3)),
                       "3\r\nabc\r\n0\r\n" + kTrailerSignatureLine + "\r\n") == ErrorCode::invalid_request);
    // No trailer at all is fine when none is declared.
    ChunkedPayloadDecoder none(unsigned_config(3));
    std::string out;
    CHECK_FALSE(decode(none, "3\r\nabc\r\n0\r\n\r\n", 1, out).has_value());
    CHECK(out == "abc");
}

TEST_CASE("the trailer is bounded in size and count", "[auth]") {
    ChunkedPayloadDecoder::Config c = unsigned_config(0);
    c.limits.max_trailers = 2;
    CHECK(decode_error(ChunkedPayloadDecoder(c), "0\r\na:1\r\nb:2\r\nc:3\r\n\r\n") == ErrorCode::invalid_request);
    c.limits.max_trailers = 100;
    c.limits.max_trailer_bytes = 64;
    std::string many = "0\r\n";
    for (int i = 0; i < 10; ++i) many.append("x-amz-meta-").append(std::to_string(i)).append(":v\r\n");
    CHECK(decode_error(ChunkedPayloadDecoder(c), many + "\r\n") == ErrorCode::invalid_request);
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(0)), "0\r\nno colon\r\n\r\n") ==
          ErrorCode::invalid_request);
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(0)), "0\r\n:empty name\r\n\r\n") ==
          ErrorCode::invalid_request);
    CHECK(decode_error(ChunkedPayloadDecoder(unsigned_config(0)), "0\r\na:b\x01\r\n\r\n") ==
          ErrorCode::invalid_request);
}
