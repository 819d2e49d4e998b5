// SHA-1 (FIPS 180-4), streaming, over mbedTLS. Not a security primitive here: S3
// uses it for x-amz-checksum-sha1 only.
//
// Same shape as Sha256: update()* then finish(), which resets the state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <mbedtls/sha1.h>

namespace shoal::hash {

class Sha1 {
public:
    static constexpr std::size_t kDigestSize = 20;
    using Digest = std::array<std::uint8_t, kDigestSize>;

    Sha1();
    ~Sha1();
    Sha1(const Sha1& other);
    Sha1& operator=(const Sha1& other);

    Sha1& update(std::span<const std::byte> data);
    Sha1& update(std::span<const std::uint8_t> data);
    Sha1& update(std::string_view data);

    // The digest of everything fed since construction or the last finish().
    Digest finish();

private:
    void update(const void* data, std::size_t size);

    mbedtls_sha1_context ctx_;
};

Sha1::Digest sha1(std::span<const std::byte> data);
Sha1::Digest sha1(std::string_view data);

}  // namespace shoal::hash
