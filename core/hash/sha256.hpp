// SHA-256 (FIPS 180-4), streaming, over mbedTLS.
//
// Feed any number of update() calls, then finish(); finish() returns the digest
// and leaves the object ready for a new message. Copying snapshots the state
// (hash a common prefix once, then branch).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <mbedtls/sha256.h>

namespace shoal::hash {

class Sha256 {
public:
    static constexpr std::size_t kDigestSize = 32;
    using Digest = std::array<std::uint8_t, kDigestSize>;

    Sha256();
    ~Sha256();
    Sha256(const Sha256& other);
    Sha256& operator=(const Sha256& other);

    Sha256& update(std::span<const std::byte> data);
    Sha256& update(std::span<const std::uint8_t> data);
    Sha256& update(std::string_view data);

    // The digest of everything fed since construction or the last finish().
    Digest finish();

private:
    void update(const void* data, std::size_t size);

    mbedtls_sha256_context ctx_;
};

Sha256::Digest sha256(std::span<const std::byte> data);
Sha256::Digest sha256(std::string_view data);

}  // namespace shoal::hash
