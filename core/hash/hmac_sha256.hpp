// HMAC-SHA-256 (RFC 2104, RFC 4231), over mbedTLS.
//
// hmac_sha256(key, data) for one message; HmacSha256 when the message arrives
// in pieces. finish() returns the MAC and restarts with the same key. The
// class owns an mbedTLS HMAC context (heap state inside mbedTLS): movable,
// not copyable.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <mbedtls/md.h>

namespace shoal::hash {

class HmacSha256 {
public:
    static constexpr std::size_t kMacSize = 32;
    using Mac = std::array<std::uint8_t, kMacSize>;

    explicit HmacSha256(std::span<const std::uint8_t> key);
    explicit HmacSha256(std::string_view key);
    ~HmacSha256();
    HmacSha256(HmacSha256&& other) noexcept;
    HmacSha256& operator=(HmacSha256&& other) noexcept;
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    HmacSha256& update(std::span<const std::byte> data);
    HmacSha256& update(std::span<const std::uint8_t> data);
    HmacSha256& update(std::string_view data);

    // The MAC of everything fed since construction or the last finish().
    Mac finish();

private:
    void init(const void* key, std::size_t size);
    void update(const void* data, std::size_t size);

    mbedtls_md_context_t ctx_;
};

HmacSha256::Mac hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);
HmacSha256::Mac hmac_sha256(std::string_view key, std::string_view data);

}  // namespace shoal::hash
