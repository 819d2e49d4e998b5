#include "core/hash/mbedtls_status.hpp"

#include <cstdlib>
#include <new>

#include <mbedtls/md.h>

namespace shoal::hash::detail {

void check_mbedtls(int status) {
    if (status == 0) return;
    if (status == MBEDTLS_ERR_MD_ALLOC_FAILED) throw std::bad_alloc();
    std::abort();  // misuse of the API: a bug, not a data error
}

}  // namespace shoal::hash::detail
