// Signing keys already derived, kept per (secret key, credential scope).
//
// Deriving a signing key costs four HMACs, and a client signs every request
// of a day, region and service with the same key: a verifier that keeps the
// few keys in use skips most of its hashing.
//
// Thread-safe. Holds at most `capacity` entries; the least recently used goes
// first. Entries hold the secret they were derived from (so a changed secret
// never meets a stale key), and are wiped when evicted or destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/signing_key.hpp"

namespace shoal::auth {

class SigningKeyCache {
public:
    explicit SigningKeyCache(std::size_t capacity = 32);
    ~SigningKeyCache();
    SigningKeyCache(const SigningKeyCache&) = delete;
    SigningKeyCache& operator=(const SigningKeyCache&) = delete;

    // The signing key for `scope`, derived now or remembered.
    SigningKey get(std::string_view secret_key, const CredentialScope& scope);

private:
    struct Entry {
        std::string secret_and_scope;  // secret, NUL, scope text
        SigningKey key{};
        std::uint64_t last_used = 0;
    };
    static void wipe(Entry& entry);

    const std::size_t capacity_;
    std::mutex mutex_;
    std::vector<Entry> entries_;
    std::uint64_t clock_ = 0;
};

}  // namespace shoal::auth
