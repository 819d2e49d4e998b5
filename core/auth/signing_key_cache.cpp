#include "core/auth/signing_key_cache.hpp"

#include <mbedtls/platform_util.h>

#include <algorithm>

namespace shoal::auth {

SigningKeyCache::SigningKeyCache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {
    entries_.reserve(capacity_);
}

SigningKeyCache::~SigningKeyCache() {
    for (Entry& e : entries_) wipe(e);
}

void SigningKeyCache::wipe(Entry& entry) {
    mbedtls_platform_zeroize(entry.secret_and_scope.data(), entry.secret_and_scope.size());
    mbedtls_platform_zeroize(entry.key.data(), entry.key.size());
}

SigningKey SigningKeyCache::get(std::string_view secret_key, const CredentialScope& scope) {
    std::string id;
    id.reserve(secret_key.size() + 48);
    id.append(secret_key).push_back('\0');
    id.append(scope.to_string());
    SigningKey key{};
    {
        std::lock_guard lock(mutex_);
        for (Entry& e : entries_) {
            if (e.secret_and_scope == id) {
                e.last_used = ++clock_;
                key = e.key;
                mbedtls_platform_zeroize(id.data(), id.size());
                return key;
            }
        }
    }
    key = derive_signing_key(secret_key, scope);  // outside the lock: the slow part
    std::lock_guard lock(mutex_);
    if (entries_.size() == capacity_) {
        auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                       [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
        wipe(*oldest);
        entries_.erase(oldest);
    }
    entries_.push_back(Entry{std::move(id), key, ++clock_});
    return key;
}

}  // namespace shoal::auth
