#include "core/auth/canonical_request.hpp"

#include <algorithm>
#include <utility>

#include "core/auth/uri_encode.hpp"
#include "core/hash/encoding.hpp"
#include "core/hash/sha256.hpp"

namespace shoal::auth {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::vector<QueryParam> parse_query(std::string_view raw_query) {
    std::vector<QueryParam> params;
    while (!raw_query.empty()) {
        const std::size_t amp = raw_query.find('&');
        const std::string_view item = raw_query.substr(0, amp);
        if (!item.empty()) {
            const std::size_t eq = item.find('=');
            QueryParam p;
            p.name = uri_decode(item.substr(0, eq), /*plus_is_space=*/true);
            if (eq != std::string_view::npos) p.value = uri_decode(item.substr(eq + 1), true);
            params.push_back(std::move(p));
        }
        if (amp == std::string_view::npos) break;
        raw_query.remove_prefix(amp + 1);
    }
    return params;
}

std::string canonical_uri(std::string_view raw_path) {
    if (raw_path.empty()) return "/";
    std::string out;
    out.reserve(raw_path.size() + 16);
    for (std::size_t i = 0; i < raw_path.size(); ++i) {
        const char c = raw_path[i];
        if (c == '%' && i + 2 < raw_path.size()) {
            const int hi = hex_digit_value(raw_path[i + 1]);
            const int lo = hex_digit_value(raw_path[i + 2]);
            if (hi >= 0 && lo >= 0) {
                const auto b = static_cast<unsigned char>(hi << 4 | lo);
                if (is_unreserved(static_cast<char>(b))) {
                    out += static_cast<char>(b);
                } else {
                    append_escaped_byte(out, b);  // includes %2F: an escaped slash is not a separator
                }
                i += 2;
                continue;
            }
        }
        if (is_unreserved(c) || c == '/') {
            out += c;
        } else {
            append_escaped_byte(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

std::string canonical_query_string(const std::vector<QueryParam>& params, std::string_view exclude) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(params.size());
    for (const QueryParam& p : params) {
        if (!exclude.empty() && p.name == exclude) continue;
        encoded.emplace_back(uri_encode(p.name), uri_encode(p.value));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty()) out += '&';
        out += name;
        out += '=';
        out += value;
    }
    return out;
}

std::string canonical_header_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::string canonical_headers(const std::vector<http::Header>& headers, const std::vector<std::string>& signed_names) {
    std::string out;
    for (const std::string& name : signed_names) {
        out += name;
        out += ':';
        bool first = true;
        for (const http::Header& h : headers) {
            if (!http::iequals(h.name, name)) continue;
            if (!first) out += ',';
            out += canonical_header_value(h.value);
            first = false;
        }
        out += '\n';
    }
    return out;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash) {
    std::string out;
    out.reserve(method.size() + canonical_uri.size() + canonical_query.size() + canonical_headers.size() +
                signed_headers.size() + payload_hash.size() + 8);
    out.append(method).append("\n");
    out.append(canonical_uri).append("\n");
    out.append(canonical_query).append("\n");
    out.append(canonical_headers).append("\n");
    out.append(signed_headers).append("\n");
    out.append(payload_hash);
    return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
    std::string out;
    out.append(kAlgorithm).append("\n");
    out.append(amz_date).append("\n");
    out.append(scope).append("\n");
    out.append(hash::hex_encode(hash::sha256(canonical_request)));
    return out;
}

}  // namespace shoal::auth
