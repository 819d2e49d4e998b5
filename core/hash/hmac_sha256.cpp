#include "core/hash/hmac_sha256.hpp"

#include <utility>

#include "core/hash/mbedtls_status.hpp"

namespace shoal::hash {
namespace {

using detail::check_mbedtls;

const mbedtls_md_info_t* sha256_info() { return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256); }

HmacSha256::Mac one_shot(const void* key, std::size_t key_size, std::string_view data) {
    HmacSha256::Mac mac{};
    check_mbedtls(mbedtls_md_hmac(sha256_info(), static_cast<const unsigned char*>(key), key_size,
                                  reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                                  mac.data()));
    return mac;
}

}  // namespace

HmacSha256::HmacSha256(std::span<const std::uint8_t> key) { init(key.data(), key.size()); }

HmacSha256::HmacSha256(std::string_view key) { init(key.data(), key.size()); }

void HmacSha256::init(const void* key, std::size_t size) {
    mbedtls_md_init(&ctx_);
    const int status = mbedtls_md_setup(&ctx_, sha256_info(), /*hmac=*/1);
    if (status != 0) mbedtls_md_free(&ctx_);  // the destructor will not run
    check_mbedtls(status);
    check_mbedtls(mbedtls_md_hmac_starts(&ctx_, static_cast<const unsigned char*>(key), size));
}

HmacSha256::~HmacSha256() { mbedtls_md_free(&ctx_); }

// An mbedTLS context is a plain struct of pointers: moving it is a copy of the
// struct, after which the source must forget what it owned.
HmacSha256::HmacSha256(HmacSha256&& other) noexcept : ctx_(other.ctx_) { mbedtls_md_init(&other.ctx_); }

HmacSha256& HmacSha256::operator=(HmacSha256&& other) noexcept {
    if (this != &other) {
        mbedtls_md_free(&ctx_);
        ctx_ = other.ctx_;
        mbedtls_md_init(&other.ctx_);
    }
    return *this;
}

void HmacSha256::update(const void* data, std::size_t size) {
    if (size == 0) return;
    check_mbedtls(mbedtls_md_hmac_update(&ctx_, static_cast<const unsigned char*>(data), size));
}

HmacSha256& HmacSha256::update(std::span<const std::byte> data) {
    update(data.data(), data.size());
    return *this;
}

HmacSha256& HmacSha256::update(std::span<const std::uint8_t> data) {
    update(data.data(), data.size());
    return *this;
}

HmacSha256& HmacSha256::update(std::string_view data) {
    update(data.data(), data.size());
    return *this;
}

HmacSha256::Mac HmacSha256::finish() {
    Mac mac{};
    check_mbedtls(mbedtls_md_hmac_finish(&ctx_, mac.data()));
    check_mbedtls(mbedtls_md_hmac_reset(&ctx_));
    return mac;
}

HmacSha256::Mac hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
    return one_shot(key.data(), key.size(), data);
}

HmacSha256::Mac hmac_sha256(std::string_view key, std::string_view data) {
    return one_shot(key.data(), key.size(), data);
}

}  // namespace shoal::hash
