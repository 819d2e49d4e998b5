#include "core/hash/sha1.hpp"

#include "core/hash/mbedtls_status.hpp"

namespace shoal::hash {

using detail::check_mbedtls;

Sha1::Sha1() {
    mbedtls_sha1_init(&ctx_);
    check_mbedtls(mbedtls_sha1_starts_ret(&ctx_));
}

Sha1::~Sha1() { mbedtls_sha1_free(&ctx_); }

Sha1::Sha1(const Sha1& other) {
    mbedtls_sha1_init(&ctx_);
    mbedtls_sha1_clone(&ctx_, &other.ctx_);
}

Sha1& Sha1::operator=(const Sha1& other) {
    if (this != &other) mbedtls_sha1_clone(&ctx_, &other.ctx_);
    return *this;
}

void Sha1::update(const void* data, std::size_t size) {
    if (size == 0) return;
    check_mbedtls(mbedtls_sha1_update_ret(&ctx_, static_cast<const unsigned char*>(data), size));
}

Sha1& Sha1::update(std::span<const std::byte> data) {
    update(data.data(), data.size());
    return *this;
}

Sha1& Sha1::update(std::span<const std::uint8_t> data) {
    update(data.data(), data.size());
    return *this;
}

Sha1& Sha1::update(std::string_view data) {
    update(data.data(), data.size());
    return *this;
}

Sha1::Digest Sha1::finish() {
    Digest digest{};
    check_mbedtls(mbedtls_sha1_finish_ret(&ctx_, digest.data()));
    check_mbedtls(mbedtls_sha1_starts_ret(&ctx_));
    return digest;
}

Sha1::Digest sha1(std::span<const std::byte> data) { return Sha1().update(data).finish(); }

Sha1::Digest sha1(std::string_view data) { return Sha1().update(data).finish(); }

}  // namespace shoal::hash
