#include "core/s3/range.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

std::optional<std::uint64_t> number(std::string_view s) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<ByteRange> parse_range(const std::string* header, std::uint64_t size) {
    if (header == nullptr) return std::nullopt;
    std::string_view spec = *header;
    if (spec.substr(0, 6) != "bytes=" || spec.find(',') != std::string_view::npos) return std::nullopt;
    spec.remove_prefix(6);
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string_view first_text = spec.substr(0, dash);
    const std::string_view last_text = spec.substr(dash + 1);
    std::uint64_t first;
    std::uint64_t last;
    if (first_text.empty()) {  // suffix range: the last N bytes
        const auto n = number(last_text);
        if (!n) return std::nullopt;
        if (*n == 0 || size == 0) throw S3Error(416, "InvalidRange", "The requested range is not satisfiable");
        first = size - std::min(*n, size);
        last = size - 1;
    } else {
        const auto f = number(first_text);
        if (!f) return std::nullopt;
        first = *f;
        if (last_text.empty()) {
            last = size == 0 ? 0 : size - 1;
        } else {
            const auto l = number(last_text);
            if (!l || *l < first) return std::nullopt;  // syntactically invalid: ignored
            last = std::min(*l, size == 0 ? 0 : size - 1);
        }
        if (first >= size) throw S3Error(416, "InvalidRange", "The requested range is not satisfiable");
    }
    return ByteRange{first, last - first + 1};
}

ByteRange parse_copy_range(std::string_view header, std::uint64_t size) {
    const auto syntax = [] {
        return invalid_argument("The x-amz-copy-source-range value must be of the form bytes=first-last where first "
                                "and last are the zero-based offsets of the first and last bytes to copy");
    };
    if (header.substr(0, 6) != "bytes=") throw syntax();
    header.remove_prefix(6);
    const std::size_t dash = header.find('-');
    if (dash == std::string_view::npos) throw syntax();
    const auto first = number(header.substr(0, dash));
    const auto last = number(header.substr(dash + 1));
    if (!first || !last || *last < *first) throw syntax();
    if (*last >= size) {
        throw S3Error(416, "InvalidRange", "The requested range is not satisfiable: the source has " +
                                              std::to_string(size) + " bytes");
    }
    return ByteRange{*first, *last - *first + 1};
}

}  // namespace shoal::s3
