// Seals the secrets of access keys before they go into the metadata store.
//
// SigV4 needs the secret itself to check a signature (it derives a new signing
// key every day), so secrets cannot be stored as one-way hashes: they are
// encrypted instead, with AES-256-GCM under the node's key-sealing key, a
// random 96-bit nonce per seal, and the access key id as additional data (a
// sealed secret copied into another key's record does not open).
//
// The sealing key is a 32-byte file beside the metadata (mode 0600). A copy of
// the metadata database alone (a backup, a bug report) reveals no secret; who
// has both files has the secrets (docs/security.md).
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::access {

class SecretBox {
public:
    static constexpr std::size_t kKeySize = 32;
    using Key = std::array<unsigned char, kKeySize>;

    explicit SecretBox(const Key& key) : key_(key) {}
    ~SecretBox();  // wipes the key
    SecretBox(const SecretBox&) = default;
    SecretBox& operator=(const SecretBox&) = default;

    // Reads the sealing key from `file`, or creates it (random, 0600, durable)
    // if there is none. Throws std::runtime_error naming the file if it cannot
    // be read or written, or does not hold exactly 32 bytes.
    static SecretBox load_or_create(const std::filesystem::path& file);

    // nonce (12) | ciphertext | tag (16)
    std::string seal(std::string_view secret, std::string_view access_key) const;
    // The secret, or nullopt if `sealed` was not sealed with this key for this
    // access key id, or was changed.
    std::optional<std::string> open(std::string_view sealed, std::string_view access_key) const;

private:
    Key key_;
};

}  // namespace shoal::access
