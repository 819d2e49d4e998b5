#include "core/s3/target.hpp"

#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The bucket named by a virtual-hosted Host header, if any.
std::optional<std::string> host_bucket(const http::Request& request, const std::vector<std::string>& domains) {
    const std::string* host_header = request.header("Host");
    if (host_header == nullptr) return std::nullopt;
    std::string_view host = *host_header;
    if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));  // drop the port
    for (const std::string& domain : domains) {
        // Host names are case-insensitive: "bucket.S3.Example.com" is virtual-hosted too.
        if (host.size() > domain.size() + 1 && http::iequals(host.substr(host.size() - domain.size()), domain) &&
            host[host.size() - domain.size() - 1] == '.') {
            return std::string(host.substr(0, host.size() - domain.size() - 1));
        }
    }
    return std::nullopt;
}

}  // namespace

bool Target::has(std::string_view name) const { return param(name) != nullptr; }

const std::string* Target::param(std::string_view name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return &v;
    }
    return nullptr;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex(s[i + 1]);
            const int lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string percent_encode(std::string_view s, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~' || (keep_slash && c == '/')) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::optional<QueryPairs> parse_query_string(std::string_view query) {
    QueryPairs pairs;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        const std::size_t eq = item.find('=');
        auto name = percent_decode(item.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1), true);
        if (!name || !value) return std::nullopt;
        pairs.emplace_back(std::move(*name), std::move(*value));
    }
    return pairs;
}

Target parse_target(const http::Request& request, const std::vector<std::string>& domains) {
    Target target;
    std::string_view path = request.path();
    if (path == "*") throw invalid_request("no S3 resource at *");

    const auto path_decoded = percent_decode(path, false);
    if (!path_decoded) throw S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    std::string_view rest = *path_decoded;
    rest.remove_prefix(1);  // the leading '/'

    if (auto bucket = host_bucket(request, domains)) {
        target.bucket = std::move(*bucket);
        target.key = std::string(rest);
    } else {
        const std::size_t slash = rest.find('/');
        target.bucket = std::string(rest.substr(0, slash));
        if (slash != std::string_view::npos) target.key = std::string(rest.substr(slash + 1));
        // "//key" (or "/%2Fkey") names no bucket: not the service (ListBuckets).
        if (target.bucket.empty() && slash != std::string_view::npos) {
            throw S3Error(400, "InvalidBucketName", "The specified bucket is not valid: the bucket name is empty.");
        }
    }

    auto query = parse_query_string(request.query());
    if (!query) throw S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    target.query = std::move(*query);
    return target;
}

}  // namespace shoal::s3
