// MD5 (RFC 1321), streaming, over mbedTLS. Not a security primitive here: S3
// uses it for ETags and Content-MD5 only.
//
// Same shape as Sha256: update()* then finish(), which resets the state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <mbedtls/md5.h>

namespace shoal::hash {

class Md5 {
public:
    static constexpr std::size_t kDigestSize = 16;
    using Digest = std::array<std::uint8_t, kDigestSize>;

    Md5();
    ~Md5();
    Md5(const Md5& other);
    Md5& operator=(const Md5& other);

    Md5& update(std::span<const std::byte> data);
    Md5& update(std::span<const std::uint8_t> data);
    Md5& update(std::string_view data);

    // The digest of everything fed since construction or the last finish().
    Digest finish();

private:
    void update(const void* data, std::size_t size);

    mbedtls_md5_context ctx_;
};

Md5::Digest md5(std::span<const std::byte> data);
Md5::Digest md5(std::string_view data);

}  // namespace shoal::hash
