// What every fuzz target shares: FUZZ_CHECK(condition, what) stops the run
// with a message when an invariant does not hold, so libFuzzer records the
// input as a crash (as it does for sanitizer reports and uncaught exceptions).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace shoal::fuzz {

[[noreturn]] inline void invariant_failed(const char* condition, std::string_view what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: invariant failed: %s (%.*s)\n", file, line, condition, static_cast<int>(what.size()),
                 what.data());
    std::abort();
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace shoal::fuzz

#define FUZZ_CHECK(condition, what)                                                     \
    do {                                                                                \
        if (!(condition)) ::shoal::fuzz::invariant_failed(#condition, what, __FILE__, __LINE__); \
    } while (false)
