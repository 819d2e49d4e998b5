#include "core/auth/authorization.hpp"

#include "core/auth/amz_date.hpp"
#include "core/auth/canonical_request.hpp"
#include "core/auth/uri_encode.hpp"
#include "core/http/request.hpp"

namespace shoal::auth {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_header_name_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

Error malformed(std::string message) {
    return Error{ErrorCode::authorization_header_malformed, "The authorization header is malformed; " + message, {}};
}

const char* const kCredentialForm = "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"";

}  // namespace

std::optional<Credential> parse_credential(std::string_view text) {
    std::string_view parts[5];
    for (std::size_t i = 0; i < 5; ++i) {
        const std::size_t slash = text.find('/');
        if ((slash == std::string_view::npos) != (i == 4)) return std::nullopt;
        parts[i] = text.substr(0, slash);
        if (parts[i].empty()) return std::nullopt;
        if (slash != std::string_view::npos) text.remove_prefix(slash + 1);
    }
    if (parts[4] != kScopeTerminator) return std::nullopt;
    if (parts[1].size() != 8 || !parse_amz_date(std::string(parts[1]) + "T000000Z")) return std::nullopt;
    Credential c;
    c.access_key = parts[0];
    c.scope.date = parts[1];
    c.scope.region = parts[2];
    c.scope.service = parts[3];
    return c;
}

std::optional<std::vector<std::string>> parse_signed_headers(std::string_view text) {
    std::vector<std::string> names;
    while (true) {
        const std::size_t semi = text.find(';');
        const std::string_view name = text.substr(0, semi);
        if (name.empty()) return std::nullopt;
        for (char c : name) {
            if (!is_header_name_char(c)) return std::nullopt;
        }
        for (const std::string& seen : names) {
            if (http::iequals(seen, name)) return std::nullopt;
        }
        names.emplace_back(name);
        if (semi == std::string_view::npos) break;
        text.remove_prefix(semi + 1);
    }
    return names;
}

std::optional<std::string> parse_signature(std::string_view text) {
    if (text.size() != 64) return std::nullopt;
    std::string out(text);
    for (char& c : out) {
        if (hex_digit_value(c) < 0) return std::nullopt;
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::variant<SignatureParams, Error> parse_authorization_header(std::string_view value) {
    value = trim(value);
    const std::size_t space = value.find(' ');
    const std::string_view algorithm = value.substr(0, space);
    if (algorithm != kAlgorithm) {
        if (algorithm == "AWS" || algorithm == "AWS4-ECDSA-P256-SHA256") {
            return Error{ErrorCode::invalid_request,
                         "The authorization mechanism you have provided is not supported. Please use "
                         "AWS4-HMAC-SHA256.",
                         {}};
        }
        return malformed("the algorithm must be AWS4-HMAC-SHA256");
    }
    if (space == std::string_view::npos) return malformed("Credential, SignedHeaders and Signature are missing");
    std::string_view rest = value.substr(space + 1);

    std::optional<std::string_view> credential, signed_headers, signature;
    while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) return malformed("expected Key=Value, got \"" + std::string(item) + "\"");
        const std::string_view key = item.substr(0, eq);
        const std::string_view val = item.substr(eq + 1);
        std::optional<std::string_view>* slot = nullptr;
        if (key == "Credential") slot = &credential;
        else if (key == "SignedHeaders") slot = &signed_headers;
        else if (key == "Signature") slot = &signature;
        else return malformed("unknown component \"" + std::string(key) + "\"");
        if (slot->has_value()) return malformed("component \"" + std::string(key) + "\" repeated");
        *slot = val;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (!credential) return malformed("the Credential is missing");
    if (!signed_headers) return malformed("the SignedHeaders are missing");
    if (!signature) return malformed("the Signature is missing");

    SignatureParams p;
    std::optional<Credential> c = parse_credential(*credential);
    if (!c) return malformed("the Credential is mal-formed; " + std::string(kCredentialForm));
    p.credential = std::move(*c);
    std::optional<std::vector<std::string>> names = parse_signed_headers(*signed_headers);
    if (!names) return malformed("SignedHeaders must be a ';'-separated list of distinct header names");
    p.signed_headers = *signed_headers;
    p.signed_header_names = std::move(*names);
    std::optional<std::string> sig = parse_signature(*signature);
    if (!sig) return malformed("the Signature must be 64 hexadecimal digits");
    p.signature = std::move(*sig);
    return p;
}

}  // namespace shoal::auth
