#include "core/hash/md5.hpp"

#include "core/hash/mbedtls_status.hpp"

namespace shoal::hash {

using detail::check_mbedtls;

Md5::Md5() {
    mbedtls_md5_init(&ctx_);
    check_mbedtls(mbedtls_md5_starts_ret(&ctx_));
}

Md5::~Md5() { mbedtls_md5_free(&ctx_); }

Md5::Md5(const Md5& other) {
    mbedtls_md5_init(&ctx_);
    mbedtls_md5_clone(&ctx_, &other.ctx_);
}

Md5& Md5::operator=(const Md5& other) {
    if (this != &other) mbedtls_md5_clone(&ctx_, &other.ctx_);
    return *this;
}

void Md5::update(const void* data, std::size_t size) {
    if (size == 0) return;
    check_mbedtls(mbedtls_md5_update_ret(&ctx_, static_cast<const unsigned char*>(data), size));
}

Md5& Md5::update(std::span<const std::byte> data) {
    update(data.data(), data.size());
    return *this;
}

Md5& Md5::update(std::span<const std::uint8_t> data) {
    update(data.data(), data.size());
    return *this;
}

Md5& Md5::update(std::string_view data) {
    update(data.data(), data.size());
    return *this;
}

Md5::Digest Md5::finish() {
    Digest digest{};
    check_mbedtls(mbedtls_md5_finish_ret(&ctx_, digest.data()));
    check_mbedtls(mbedtls_md5_starts_ret(&ctx_));
    return digest;
}

Md5::Digest md5(std::span<const std::byte> data) { return Md5().update(data).finish(); }

Md5::Digest md5(std::string_view data) { return Md5().update(data).finish(); }

}  // namespace shoal::hash
