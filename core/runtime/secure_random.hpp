// Random bytes for secrets (access keys, nonces): the kernel's CSPRNG through
// getrandom(2), which blocks only until the pool is first initialised at boot.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shoal::runtime {

// Fills `size` bytes. Throws std::system_error if the kernel refuses.
void fill_secure_random(void* data, std::size_t size);

// `length` characters drawn uniformly from `alphabet` (at most 256 of them).
std::string secure_random_text(std::size_t length, std::string_view alphabet);

}  // namespace shoal::runtime
