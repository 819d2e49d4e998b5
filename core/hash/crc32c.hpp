// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and
// final xor 0xFFFFFFFF): S3's x-amz-checksum-crc32c and the per-block checksum
// of chunk files (docs/chunk-format.md).
//
//   std::uint32_t c = crc32c(data, size);           // one shot
//   Crc32c h; h.update(a, n); h.update(b, m);       // streaming
//   h.value() == crc32c(b, m, crc32c(a, n))         // seed chains calls
//
// Implementation: chosen once per process, at the first call, from what the
// CPU offers: the x86-64 SSE4.2 `crc32` instruction, the ARMv8 CRC extension
// (in AArch64 and in AArch32 state, e.g. a Raspberry Pi 3/4 running a 32-bit
// OS), else a portable slice-by-8 table (ARMv7 cores, emulators without the
// feature). The hardware paths run three independent streams to hide the
// instruction's latency and join them with precomputed shift tables. Every
// table is computed at compile time; the choice is a function-local static
// const, so there is no mutable global state. All paths give identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shoal::hash {

// CRC-32C of data[0, size). `seed` is the CRC of the bytes that precede them
// (0 for none), so crc32c(b, crc32c(a)) is the CRC of a followed by b.
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t seed = 0);

// CRC-32C of A followed by B, from crc_a = CRC(A), crc_b = CRC(B) and |B|, in
// O(log size_b) time without the data (used to join chunk CRCs into an
// object's full CRC).
std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t size_b);

// The same as crc32c(), always with the portable table code: for tests and
// benchmarks that compare it with the accelerated path.
std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t seed = 0);

// Which implementation crc32c() uses on this CPU: "sse4.2", "armv8-crc",
// "armv8-crc-aarch32" or "portable".
std::string_view crc32c_implementation();

// Streaming CRC-32C. A default-constructed Crc32c has value() == 0 (the CRC
// of no bytes). Cheap to copy; not synchronised.
class Crc32c {
public:
    Crc32c() = default;
    explicit Crc32c(std::uint32_t seed) : value_(seed) {}

    void update(const void* data, std::size_t size) { value_ = crc32c(data, size, value_); }
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    std::uint32_t value() const { return value_; }
    void reset() { value_ = 0; }

private:
    std::uint32_t value_ = 0;
};

}  // namespace shoal::hash
