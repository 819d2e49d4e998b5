// The Range header of GetObject against objects of random sizes. A range
// served always lies inside the object; "bytes=N-M" / "bytes=N-" / "bytes=-N"
// are read as RFC 9110 says (restated here); anything else serves the whole
// object or answers 416 InvalidRange. The same header as an
// x-amz-copy-source-range: exactly "bytes=N-M" inside the object, or refused.
//
// Input: [8 bytes: object size][Range header value...]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/s3/error.hpp"
#include "core/s3/range.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;

std::optional<std::uint64_t> decimal(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
    }
    return v;
}

// nullopt: the whole object; a range; or unsatisfiable (first == size == length == 0 never is a range).
struct Expected {
    enum { whole, range, unsatisfiable } kind = whole;
    s3::ByteRange r{0, 0};
};

Expected reference(std::string_view spec, std::uint64_t size) {
    Expected e;
    if (spec.substr(0, 6) != "bytes=") return e;
    spec.remove_prefix(6);
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return e;
    const std::string_view a = spec.substr(0, dash);
    const std::string_view b = spec.substr(dash + 1);
    if (a.empty()) {
        const auto n = decimal(b);
        if (!n) return e;
        if (*n == 0 || size == 0) return {Expected::unsatisfiable, {}};
        const std::uint64_t length = *n < size ? *n : size;
        return {Expected::range, {size - length, length}};
    }
    const auto first = decimal(a);
    if (!first) return e;
    std::optional<std::uint64_t> last;
    if (!b.empty()) {
        last = decimal(b);
        if (!last || *last < *first) return e;
    }
    if (*first >= size) return {Expected::unsatisfiable, {}};
    const std::uint64_t end = last && *last < size - 1 ? *last : size - 1;  // inclusive
    return {Expected::range, {*first, end - *first + 1}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    std::uint64_t object_size = 0;
    std::memcpy(&object_size, data, sizeof object_size);
    // Mostly small objects, where the edges are.
    if ((object_size >> 63) == 0) object_size %= 4096;
    const std::string header(fuzz::as_text(data + 8, size - 8));

    Expected got;
    try {
        if (const auto r = s3::parse_range(&header, object_size)) got = {Expected::range, *r};
    } catch (const s3::S3Error& e) {
        FUZZ_CHECK(e.status() == 416 && e.code() == "InvalidRange", e.code());
        got.kind = Expected::unsatisfiable;
    }
    if (got.kind == Expected::range) {
        FUZZ_CHECK(got.r.length >= 1 && got.r.first < object_size, header);
        FUZZ_CHECK(got.r.length <= object_size - got.r.first, header);
    }
    if (header.find(',') == std::string::npos) {
        const Expected want = reference(header, object_size);
        FUZZ_CHECK(want.kind == got.kind, header);
        if (want.kind == Expected::range) {
            FUZZ_CHECK(want.r.first == got.r.first && want.r.length == got.r.length, header);
        }
    } else {
        FUZZ_CHECK(got.kind == Expected::whole, "a multi-range header is served as one range");
    }
    try {
        const s3::ByteRange r = s3::parse_copy_range(header, object_size);
        FUZZ_CHECK(r.length >= 1 && r.first < object_size && r.length <= object_size - r.first, header);
        const std::string_view spec = std::string_view(header).substr(std::min<std::size_t>(6, header.size()));
        const std::size_t dash = spec.find('-');
        FUZZ_CHECK(header.substr(0, 6) == "bytes=" && dash != std::string_view::npos &&
                       decimal(spec.substr(0, dash)) == r.first &&
                       decimal(spec.substr(dash + 1)) == r.first + r.length - 1,
                   "a copy range that is not bytes=N-M: " + header);
    } catch (const s3::S3Error& e) {
        FUZZ_CHECK((e.status() == 416 && e.code() == "InvalidRange") ||
                       (e.status() == 400 && e.code() == "InvalidArgument"),
                   e.code());
    }
    FUZZ_CHECK(!s3::parse_range(nullptr, object_size).has_value(), "no header");
    return 0;
}
