// Shared by the auth tests: the credentials, time and requests of the AWS
// documentation's SigV4 examples (examplebucket, 20130524T000000Z).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/auth/sigv4_verifier.hpp"
#include "core/http/request_parser.hpp"

namespace shoal::auth::test {

inline constexpr std::string_view kAccessKey = "AKIAIOSFODNN7EXAMPLE";
inline constexpr std::string_view kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
inline constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// 2013-05-24T00:00:00Z, the time of every AWS example.
inline std::chrono::system_clock::time_point example_time() {
    using namespace std::chrono;
    return system_clock::time_point{sys_days{year{2013} / May / 24}.time_since_epoch()};
}

inline std::optional<std::string> example_keys(std::string_view access_key) {
    if (access_key == kAccessKey) return std::string(kSecretKey);
    return std::nullopt;
}

// Parses a request head written with "\n" line ends (converted to CRLF).
inline http::Request request(std::string_view head) {
    std::string wire;
    for (char c : head) {
        if (c == '\n') wire += '\r';
        wire += c;
    }
    wire += "\r\n";
    http::ParseResult parsed = http::parse_request_head(wire, http::Limits{});
    if (auto* e = std::get_if<http::ParseError>(&parsed)) FAIL("request head does not parse: " << e->reason);
    return std::get<http::Request>(std::move(parsed));
}

inline AuthResult verify(const http::Request& r,
                         std::chrono::system_clock::time_point now = example_time(),
                         const VerifierOptions& options = {}) {
    return verify_request(r, example_keys, now, options);
}

inline Authenticated verify_ok(const http::Request& r, std::chrono::system_clock::time_point now = example_time(),
                               const VerifierOptions& options = {}) {
    AuthResult result = verify(r, now, options);
    if (auto* e = std::get_if<Error>(&result)) {
        FAIL("unexpected " << e->code_name() << ": " << e->message << "\n" << e->detail);
    }
    return std::get<Authenticated>(std::move(result));
}

// The error code of a failed verification (the test fails on success).
inline ErrorCode verify_error(const http::Request& r, std::chrono::system_clock::time_point now = example_time(),
                              const VerifierOptions& options = {}) {
    AuthResult result = verify(r, now, options);
    if (std::holds_alternative<Authenticated>(result)) FAIL("the request verified, an error was expected");
    const Error& e = std::get<Error>(result);
    INFO(e.code_name() << ": " << e.message);
    CHECK_FALSE(e.message.empty());
    return e.code;
}

}  // namespace shoal::auth::test

namespace Catch {
template <>
struct StringMaker<shoal::auth::ErrorCode> {
    static std::string convert(shoal::auth::ErrorCode code) { return std::string(shoal::auth::code_name(code)); }
};
}  // namespace Catch
