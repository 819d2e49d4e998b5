// What a request addresses: parse_target() on request heads as the HTTP
// parser delivers them (path and virtual-hosted style), percent_decode() and
// percent_encode() (a round trip), and the bucket name and object key rules,
// each checked against a plain restatement of the rule; the same bytes as a
// URL query string (x-amz-tagging) and as an x-amz-copy-source header.
//
// Input: [1 byte: flags][host line][\n][request target][\n][a name or key...]
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/http/request_parser.hpp"
#include "core/s3/copy_source.hpp"
#include "core/s3/error.hpp"
#include "core/s3/names.hpp"
#include "core/s3/target.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;

std::string_view next_line(std::string_view& rest) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    return line;
}

// Unicode's well-formed UTF-8 byte sequences (Table 3-7), restated.
bool reference_utf8(std::string_view s) {
    std::size_t i = 0;
    const auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
        if (i + k >= s.size()) return false;
        const auto b = static_cast<unsigned char>(s[i + k]);
        return b >= lo && b <= hi;
    };
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        if (b <= 0x7f) n = 1;
        else if (b >= 0xc2 && b <= 0xdf && in(1, 0x80, 0xbf)) n = 2;
        else if (b == 0xe0 && in(1, 0xa0, 0xbf) && in(2, 0x80, 0xbf)) n = 3;
        else if (((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef) && in(1, 0x80, 0xbf) && in(2, 0x80, 0xbf)) n = 3;
        else if (b == 0xed && in(1, 0x80, 0x9f) && in(2, 0x80, 0xbf)) n = 3;
        else if (b == 0xf0 && in(1, 0x90, 0xbf) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf)) n = 4;
        else if (b >= 0xf1 && b <= 0xf3 && in(1, 0x80, 0xbf) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf)) n = 4;
        else if (b == 0xf4 && in(1, 0x80, 0x8f) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf)) n = 4;
        else return false;
        i += n;
    }
    return true;
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

void check_bucket_name(std::string_view name) {
    const std::optional<std::string> problem = s3::bucket_name_problem(name);
    if (problem) {
        FUZZ_CHECK(!problem->empty(), "empty problem");
        return;
    }
    FUZZ_CHECK(name.size() >= 3 && name.size() <= 63, name);
    for (char c : name) FUZZ_CHECK(lower_alnum(c) || c == '.' || c == '-', name);
    FUZZ_CHECK(lower_alnum(name.front()) && lower_alnum(name.back()), name);
    FUZZ_CHECK(name.find("..") == std::string_view::npos, name);
    // Never a host or path trick.
    FUZZ_CHECK(name != "." && name != ".." && name.find('/') == std::string_view::npos, name);
}

void check_key(std::string_view key) {
    const bool utf8 = s3::valid_utf8(key);
    FUZZ_CHECK(utf8 == reference_utf8(key), "valid_utf8 disagrees with Unicode's table");
    const auto problem = s3::object_key_problem(key);
    const bool valid = !key.empty() && key.size() <= 1024 && key.find('\0') == std::string_view::npos && utf8;
    FUZZ_CHECK(valid == !problem.has_value(), key);
    if (problem) FUZZ_CHECK(problem->code == "InvalidArgument" || problem->code == "KeyTooLongError", problem->code);
}

void check_percent(std::string_view bytes) {
    for (bool keep_slash : {false, true}) {
        const std::string encoded = s3::percent_encode(bytes, keep_slash);
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            const char c = encoded[i];
            const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                               c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
            FUZZ_CHECK(plain || c == '%', encoded);
        }
        for (bool plus : {false, true}) {
            const auto decoded = s3::percent_decode(encoded, plus);
            FUZZ_CHECK(decoded && *decoded == bytes, "percent_decode(percent_encode(x)) != x");
        }
    }
    for (bool plus : {false, true}) {
        const auto decoded = s3::percent_decode(bytes, plus);
        if (!decoded) continue;
        FUZZ_CHECK(decoded->size() <= bytes.size(), "decoding grew the text");
        if (bytes.find('%') == std::string_view::npos) {
            std::string expected(bytes);
            if (plus) {
                for (char& c : expected) c = c == '+' ? ' ' : c;
            }
            FUZZ_CHECK(*decoded == expected, "decoding changed text without escapes");
        }
    }
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

std::optional<http::Request> request_of(std::string_view host, std::string_view target) {
    std::string wire = "GET " + std::string(target) + " HTTP/1.1\r\n";
    if (!host.empty()) wire += "Host: " + std::string(host) + "\r\n";
    wire += "\r\n";
    http::ParseResult parsed = http::parse_request_head(wire, http::Limits{});
    if (auto* r = std::get_if<http::Request>(&parsed)) return std::move(*r);
    return std::nullopt;
}

void check_target(std::string_view host, std::string_view target, bool with_domains) {
    const std::optional<http::Request> request = request_of(host, target);
    if (!request) return;
    const std::vector<std::string> domains =
        with_domains ? std::vector<std::string>{"s3.example.com", "localhost"} : std::vector<std::string>{};
    s3::Target t;
    try {
        t = s3::parse_target(*request, domains);
        // Host names are case-insensitive: the same request, the same resource.
        const s3::Target same = s3::parse_target(*request_of(lower(host), target), domains);
        FUZZ_CHECK(lower(same.bucket) == lower(t.bucket) && same.key == t.key, "the Host's case changed the target");
    } catch (const s3::S3Error& e) {
        FUZZ_CHECK(e.status() == 400 &&
                       (e.code() == "InvalidURI" || e.code() == "InvalidRequest" || e.code() == "InvalidBucketName"),
                   e.code());
        return;
    }
    const auto path = s3::percent_decode(request->path(), false);
    FUZZ_CHECK(path.has_value() && !path->empty() && path->front() == '/', "a target that does not decode");
    // Path style: "/" bucket ["/" key]; virtual-hosted: the whole path is "/" key.
    const std::string path_style = "/" + t.bucket + (t.key.empty() ? "" : "/" + t.key);
    const std::string hosted = "/" + t.key;
    FUZZ_CHECK(*path == path_style || *path == path_style + "/" || *path == hosted, *path + " -> " + path_style);
    // No bucket means the service itself, addressed as "/" only.
    if (t.bucket.empty()) FUZZ_CHECK(*path == "/" && t.key.empty(), "a key without a bucket: " + *path);
    std::size_t items = 0;
    for (std::string_view q = request->query(); !q.empty();) {
        const std::size_t amp = q.find('&');
        if (amp != 0) ++items;
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
    FUZZ_CHECK(t.query.size() == items, "query parameters lost or invented");
    for (const auto& [name, value] : t.query) FUZZ_CHECK(t.param(name) != nullptr && t.has(name), name);
    check_bucket_name(t.bucket);
    check_key(t.key);
}

void check_query_and_copy_source(std::string_view text) {
    if (const auto pairs = s3::parse_query_string(text)) {
        for (const auto& [name, value] : *pairs) FUZZ_CHECK(name.size() + value.size() <= text.size(), "a pair grew");
    } else {
        FUZZ_CHECK(text.find('%') != std::string_view::npos, "a query without escapes refused");
    }
    try {
        const s3::CopySource source = s3::parse_copy_source(text);
        FUZZ_CHECK(!s3::bucket_name_problem(source.bucket) && !s3::object_key_problem(source.key), std::string(text));
        FUZZ_CHECK(!source.version_id || !source.version_id->empty(), "an empty version id");
    } catch (const s3::S3Error& e) {
        FUZZ_CHECK(e.status() == 400 && (e.code() == "InvalidArgument" || e.code() == "InvalidBucketName"), e.code());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t flags = data[0];
    std::string_view rest = fuzz::as_text(data + 1, size - 1);
    const std::string_view all = rest;
    const std::string_view host = next_line(rest);
    const std::string_view target = next_line(rest);
    check_target(host, target, (flags & 1) != 0);
    check_percent(all);
    check_bucket_name(rest);
    check_key(rest);
    check_query_and_copy_source(all);
    return 0;
}
