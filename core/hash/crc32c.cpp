#include "core/hash/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>
#elif defined(__arm__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace shoal::hash {
namespace {

constexpr std::uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

// ---- Compile-time tables -------------------------------------------------

// Slice-by-8: table[k][b] is the CRC register after feeding byte b followed by
// k zero bytes.
using SliceTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr SliceTables make_slice_tables() {
    SliceTables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1) != 0 ? (c >> 1) ^ kPoly : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
    return t;
}

constexpr SliceTables kSlice = make_slice_tables();

// Polynomials modulo P, in the reflected representation (bit 31 is x^0).
constexpr std::uint32_t multmodp(std::uint32_t a, std::uint32_t b) {
    std::uint32_t product = 0;
    for (std::uint32_t m = 1u << 31; m != 0; m >>= 1) {
        if ((a & m) != 0) product ^= b;
        b = (b & 1) != 0 ? (b >> 1) ^ kPoly : b >> 1;
    }
    return product;
}

// kX2n[k] = x^(2^k) mod P. 67 entries cover x^(8 n) for any 64-bit n without
// relying on the powers cycling (whether they do depends on P's factors).
using PowerTable = std::array<std::uint32_t, 67>;

constexpr PowerTable make_x2n_table() {
    PowerTable t{};
    std::uint32_t p = 1u << 30;  // x^1
    t[0] = p;
    for (std::size_t k = 1; k < t.size(); ++k) t[k] = p = multmodp(p, p);
    return t;
}

constexpr PowerTable kX2n = make_x2n_table();

// x^(8 n) mod P: the operator that appends n zero bytes to a CRC register.
constexpr std::uint32_t x8nmodp(std::uint64_t n) {
    std::uint32_t p = 1u << 31;  // x^0
    for (std::size_t k = 3; n != 0; n >>= 1, ++k) {
        if ((n & 1) != 0) p = multmodp(kX2n[k], p);
    }
    return p;
}

#if defined(__x86_64__) || defined(__aarch64__) || defined(__arm__)

// Shifting a CRC register over `bytes` zero bytes, one table per input byte.
using ShiftTable = std::array<std::array<std::uint32_t, 256>, 4>;

constexpr ShiftTable make_shift_table(std::uint64_t bytes) {
    const std::uint32_t op = x8nmodp(bytes);
    ShiftTable t{};
    for (std::uint32_t k = 0; k < 4; ++k) {
        for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = multmodp(op, b << (8 * k));
    }
    return t;
}

inline std::uint32_t shift(const ShiftTable& t, std::uint32_t crc) {
    return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][crc >> 24];
}

// The hardware loop runs three streams of kLong (then kShort) bytes at once.
constexpr std::size_t kLong = 8192;
constexpr std::size_t kShort = 256;
constexpr ShiftTable kShiftLong = make_shift_table(kLong);
constexpr ShiftTable kShiftShort = make_shift_table(kShort);

#endif

// ---- Portable: slice-by-8 ------------------------------------------------

inline std::uint32_t load_le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::uint32_t crc32c_slice8(std::uint32_t crc, const std::uint8_t* p, std::size_t n) {
    std::uint32_t c = ~crc;
    while (n >= 8) {
        const std::uint32_t lo = load_le32(p) ^ c;
        const std::uint32_t hi = load_le32(p + 4);
        c = kSlice[7][lo & 0xff] ^ kSlice[6][(lo >> 8) & 0xff] ^ kSlice[5][(lo >> 16) & 0xff] ^
            kSlice[4][lo >> 24] ^ kSlice[3][hi & 0xff] ^ kSlice[2][(hi >> 8) & 0xff] ^
            kSlice[1][(hi >> 16) & 0xff] ^ kSlice[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        c = kSlice[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        --n;
    }
    return ~c;
}

// ---- Hardware: one block of primitives per architecture ------------------
//
// SHOAL_CRC_HW is the target attribute that enables the instruction in the
// functions that use it (the rest of the build stays baseline); hw_u64 and
// hw_u8 feed 8 bytes (little-endian) and 1 byte; hw_available() asks the CPU.

#if defined(__x86_64__)

#define SHOAL_CRC_HW __attribute__((target("sse4.2")))
constexpr std::string_view kHwName = "sse4.2";

SHOAL_CRC_HW inline std::uint32_t hw_u64(std::uint32_t c, std::uint64_t v) {
    return static_cast<std::uint32_t>(_mm_crc32_u64(c, v));
}
SHOAL_CRC_HW inline std::uint32_t hw_u8(std::uint32_t c, std::uint8_t v) { return _mm_crc32_u8(c, v); }

bool hw_available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
}

#elif defined(__aarch64__)

#define SHOAL_CRC_HW __attribute__((target("+crc")))
constexpr std::string_view kHwName = "armv8-crc";

SHOAL_CRC_HW inline std::uint32_t hw_u64(std::uint32_t c, std::uint64_t v) { return __crc32cd(c, v); }
SHOAL_CRC_HW inline std::uint32_t hw_u8(std::uint32_t c, std::uint8_t v) { return __crc32cb(c, v); }

bool hw_available() { return (::getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }

#elif defined(__arm__)

// ARMv8 cores in AArch32 state (Raspberry Pi 3/4 on a 32-bit OS) have the CRC
// instructions; ARMv7 cores do not. "+simd" keeps the hard-float ABI valid;
// every ARMv8-A core running Linux has NEON, checked below all the same.
#define SHOAL_CRC_HW __attribute__((target("arch=armv8-a+crc+simd")))
constexpr std::string_view kHwName = "armv8-crc-aarch32";

SHOAL_CRC_HW inline std::uint32_t hw_u64(std::uint32_t c, std::uint64_t v) {
    c = __builtin_arm_crc32cw(c, static_cast<std::uint32_t>(v));
    return __builtin_arm_crc32cw(c, static_cast<std::uint32_t>(v >> 32));
}
SHOAL_CRC_HW inline std::uint32_t hw_u8(std::uint32_t c, std::uint8_t v) { return __builtin_arm_crc32cb(c, v); }

bool hw_available() {
    return (::getauxval(AT_HWCAP) & HWCAP_NEON) != 0 && (::getauxval(AT_HWCAP2) & HWCAP2_CRC32) != 0;
}

#endif

#ifdef SHOAL_CRC_HW

SHOAL_CRC_HW inline std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Three independent streams per step: the instruction has a latency of about
// three cycles but a throughput of one per cycle. The streams' registers are
// joined by shifting (CRC is linear): crc(A B) = shift_|B|(crc(A)) ^ crc0(B).
SHOAL_CRC_HW std::uint32_t crc32c_hw(std::uint32_t crc, const std::uint8_t* p, std::size_t n) {
    std::uint32_t c0 = ~crc;
    while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7) != 0) {
        c0 = hw_u8(c0, *p++);
        --n;
    }
    while (n >= 3 * kLong) {
        std::uint32_t c1 = 0;
        std::uint32_t c2 = 0;
        const std::uint8_t* const end = p + kLong;
        do {
            c0 = hw_u64(c0, load64(p));
            c1 = hw_u64(c1, load64(p + kLong));
            c2 = hw_u64(c2, load64(p + 2 * kLong));
            p += 8;
        } while (p < end);
        c0 = shift(kShiftLong, c0) ^ c1;
        c0 = shift(kShiftLong, c0) ^ c2;
        p += 2 * kLong;
        n -= 3 * kLong;
    }
    while (n >= 3 * kShort) {
        std::uint32_t c1 = 0;
        std::uint32_t c2 = 0;
        const std::uint8_t* const end = p + kShort;
        do {
            c0 = hw_u64(c0, load64(p));
            c1 = hw_u64(c1, load64(p + kShort));
            c2 = hw_u64(c2, load64(p + 2 * kShort));
            p += 8;
        } while (p < end);
        c0 = shift(kShiftShort, c0) ^ c1;
        c0 = shift(kShiftShort, c0) ^ c2;
        p += 2 * kShort;
        n -= 3 * kShort;
    }
    while (n >= 8) {
        c0 = hw_u64(c0, load64(p));
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        c0 = hw_u8(c0, *p++);
        --n;
    }
    return ~c0;
}

#endif

// ---- Dispatch ------------------------------------------------------------

struct Implementation {
    std::uint32_t (*fn)(std::uint32_t, const std::uint8_t*, std::size_t);
    std::string_view name;
};

Implementation choose() {
#ifdef SHOAL_CRC_HW
    if (hw_available()) return {crc32c_hw, kHwName};
#endif
    return {crc32c_slice8, "portable"};
}

const Implementation& implementation() {
    static const Implementation chosen = choose();
    return chosen;
}

#undef SHOAL_CRC_HW

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t seed) {
    if (size == 0) return seed;
    return implementation().fn(seed, static_cast<const std::uint8_t*>(data), size);
}

std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t seed) {
    if (size == 0) return seed;
    return crc32c_slice8(seed, static_cast<const std::uint8_t*>(data), size);
}

std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t size_b) {
    return multmodp(x8nmodp(size_b), crc_a) ^ crc_b;
}

std::string_view crc32c_implementation() { return implementation().name; }

}  // namespace shoal::hash
