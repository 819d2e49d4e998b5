#include "core/hash/sha256.hpp"

#include "core/hash/mbedtls_status.hpp"

namespace shoal::hash {

using detail::check_mbedtls;

Sha256::Sha256() {
    mbedtls_sha256_init(&ctx_);
    check_mbedtls(mbedtls_sha256_starts_ret(&ctx_, /*is224=*/0));
}

Sha256::~Sha256() { mbedtls_sha256_free(&ctx_); }

Sha256::Sha256(const Sha256& other) {
    mbedtls_sha256_init(&ctx_);
    mbedtls_sha256_clone(&ctx_, &other.ctx_);
}

Sha256& Sha256::operator=(const Sha256& other) {
    if (this != &other) mbedtls_sha256_clone(&ctx_, &other.ctx_);
    return *this;
}

void Sha256::update(const void* data, std::size_t size) {
    if (size == 0) return;
    check_mbedtls(mbedtls_sha256_update_ret(&ctx_, static_cast<const unsigned char*>(data), size));
}

Sha256& Sha256::update(std::span<const std::byte> data) {
    update(data.data(), data.size());
    return *this;
}

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
    update(data.data(), data.size());
    return *this;
}

Sha256& Sha256::update(std::string_view data) {
    update(data.data(), data.size());
    return *this;
}

Sha256::Digest Sha256::finish() {
    Digest digest{};
    check_mbedtls(mbedtls_sha256_finish_ret(&ctx_, digest.data()));
    check_mbedtls(mbedtls_sha256_starts_ret(&ctx_, 0));
    return digest;
}

Sha256::Digest sha256(std::span<const std::byte> data) { return Sha256().update(data).finish(); }

Sha256::Digest sha256(std::string_view data) { return Sha256().update(data).finish(); }

}  // namespace shoal::hash
