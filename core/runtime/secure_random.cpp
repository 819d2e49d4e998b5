#include "core/runtime/secure_random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

namespace shoal::runtime {

void fill_secure_random(void* data, std::size_t size) {
    auto* out = static_cast<unsigned char*>(data);
    while (size > 0) {
        const ssize_t n = ::getrandom(out, size, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        out += n;
        size -= static_cast<std::size_t>(n);
    }
}

std::string secure_random_text(std::size_t length, std::string_view alphabet) {
    if (alphabet.empty() || alphabet.size() > 256) throw std::invalid_argument("secure_random_text: bad alphabet");
    // Rejection sampling: bytes at or above the largest multiple of the
    // alphabet's size are drawn again, so every character is equally likely.
    const unsigned limit = 256 - 256 % static_cast<unsigned>(alphabet.size());
    std::string text;
    text.reserve(length);
    unsigned char pool[64];
    while (text.size() < length) {
        fill_secure_random(pool, sizeof pool);
        for (const unsigned char byte : pool) {
            if (byte >= limit) continue;
            text.push_back(alphabet[byte % alphabet.size()]);
            if (text.size() == length) break;
        }
    }
    return text;
}

}  // namespace shoal::runtime
