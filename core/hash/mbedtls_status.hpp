// Internal to core/hash: what to do with an mbedTLS status code.
//
// mbedTLS' software digests only fail on allocation failure (HMAC contexts)
// or misuse (a null context), never on data. Allocation failure becomes
// std::bad_alloc like any other allocation; anything else is a bug and aborts.
#pragma once

namespace shoal::hash::detail {

void check_mbedtls(int status);

}  // namespace shoal::hash::detail
