#include "core/access/secret_box.hpp"

#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>

#include <stdexcept>

#include "core/runtime/durable_file.hpp"
#include "core/runtime/secure_random.hpp"

namespace shoal::access {
namespace {

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

// An AES-256-GCM context holding `key`, freed (and wiped) when it goes.
class Gcm {
public:
    explicit Gcm(const SecretBox::Key& key) {
        mbedtls_gcm_init(&ctx_);
        if (mbedtls_gcm_setkey(&ctx_, MBEDTLS_CIPHER_ID_AES, key.data(), 8 * SecretBox::kKeySize) != 0) {
            mbedtls_gcm_free(&ctx_);
            throw std::runtime_error("secret box: AES-256-GCM is not available");
        }
    }
    ~Gcm() { mbedtls_gcm_free(&ctx_); }
    Gcm(const Gcm&) = delete;
    Gcm& operator=(const Gcm&) = delete;
    mbedtls_gcm_context* get() { return &ctx_; }

private:
    mbedtls_gcm_context ctx_;
};

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

SecretBox::~SecretBox() { mbedtls_platform_zeroize(key_.data(), key_.size()); }

SecretBox SecretBox::load_or_create(const std::filesystem::path& file) {
    Key key{};
    if (std::optional<std::string> stored = runtime::read_small_file(file)) {
        if (stored->size() != kKeySize) {
            throw std::runtime_error("key-sealing key " + file.string() + " is damaged: " +
                                     std::to_string(stored->size()) + " bytes, expected 32");
        }
        std::copy(stored->begin(), stored->end(), reinterpret_cast<char*>(key.data()));
        mbedtls_platform_zeroize(stored->data(), stored->size());
    } else {
        runtime::fill_secure_random(key.data(), key.size());
        runtime::write_file_durably(file, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
                                    0600);
    }
    SecretBox box(key);
    mbedtls_platform_zeroize(key.data(), key.size());
    return box;
}

std::string SecretBox::seal(std::string_view secret, std::string_view access_key) const {
    std::string sealed(kNonceSize + secret.size() + kTagSize, '\0');
    auto* out = reinterpret_cast<unsigned char*>(sealed.data());
    runtime::fill_secure_random(out, kNonceSize);
    Gcm gcm(key_);
    if (mbedtls_gcm_crypt_and_tag(gcm.get(), MBEDTLS_GCM_ENCRYPT, secret.size(), out, kNonceSize,
                                  bytes(access_key), access_key.size(), bytes(secret), out + kNonceSize, kTagSize,
                                  out + kNonceSize + secret.size()) != 0) {
        throw std::runtime_error("secret box: sealing failed");
    }
    return sealed;
}

std::optional<std::string> SecretBox::open(std::string_view sealed, std::string_view access_key) const {
    if (sealed.size() < kNonceSize + kTagSize) return std::nullopt;
    const std::size_t length = sealed.size() - kNonceSize - kTagSize;
    std::string secret(length, '\0');
    const unsigned char* in = bytes(sealed);
    Gcm gcm(key_);
    if (mbedtls_gcm_auth_decrypt(gcm.get(), length, in, kNonceSize, bytes(access_key), access_key.size(),
                                 in + kNonceSize + length, kTagSize, in + kNonceSize,
                                 reinterpret_cast<unsigned char*>(secret.data())) != 0) {
        return std::nullopt;
    }
    return secret;
}

}  // namespace shoal::access
