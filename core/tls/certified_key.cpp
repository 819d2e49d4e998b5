#include "core/tls/certified_key.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "core/hash/sha256.hpp"
#include "core/tls/tls_error.hpp"

namespace shoal::tls {
namespace {

// mbedTLS parses PEM only with its terminating NUL counted in the length.
std::string with_nul(std::string_view text) {
    std::string out(text);
    out.push_back('\0');
    return out;
}

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

CertifiedKey::CertifiedKey(std::string_view chain_text, std::string_view key_text, const std::string& source) {
    mbedtls_x509_crt_init(&chain_);
    mbedtls_pk_init(&key_);
    try {
        const std::string chain = with_nul(chain_text);
        check(mbedtls_x509_crt_parse(&chain_, bytes(chain), chain.size()), "certificate " + source);
        const std::string key = with_nul(key_text);
        check(mbedtls_pk_parse_key(&key_, bytes(key), key.size(), nullptr, 0), "private key " + source);
        check(mbedtls_pk_check_pair(&chain_.pk, &key_), "certificate and private key " + source + " do not match");
    } catch (...) {
        mbedtls_pk_free(&key_);
        mbedtls_x509_crt_free(&chain_);
        throw;
    }
}

CertifiedKey::~CertifiedKey() {
    mbedtls_pk_free(&key_);
    mbedtls_x509_crt_free(&chain_);
}

std::string CertifiedKey::fingerprint() const {
    hash::Sha256 sha;
    sha.update(std::span<const std::uint8_t>(chain_.raw.p, chain_.raw.len));
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const std::uint8_t b : sha.finish()) {
        if (!out.empty()) out += ':';
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

std::string CertifiedKey::subject() const {
    std::array<char, 512> text{};
    const int n = mbedtls_x509_dn_gets(text.data(), text.size(), &chain_.subject);
    return n < 0 ? std::string() : std::string(text.data());
}

std::string CertifiedKey::not_after() const {
    const mbedtls_x509_time& t = chain_.valid_to;
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.mon, t.day, t.hour, t.min,
                  t.sec);
    return text.data();
}

}  // namespace shoal::tls
