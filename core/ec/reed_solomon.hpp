// Reed-Solomon erasure coding over GF(2^8), with Jerasure (and gf-complete's
// region multiplication underneath): k data fragments give m parity
// fragments, and any k of the k + m fragments give back the other m.
//
//   ReedSolomon rs(4, 2, RsAlgorithm::vandermonde);
//   std::size_t f = rs.fragment_size(segment.size());    // aligned, >= size / k
//   // fragments[0..k) hold the segment, zero-padded to k * f bytes
//   rs.encode(fragments, f);                              // fills fragments[k..k+m)
//   rs.decode(fragments, missing, f);                     // rebuilds the missing ones
//
// Invariants:
// - A codec is fixed by (k, m, algorithm): the same triple always yields the
//   same parity bytes, on every architecture and build, so fragments written
//   by one node decode on any other. Objects record the triple (and the
//   fragment layout) so that reads never depend on the current configuration.
// - decode() rebuilds every listed fragment from the others, or throws
//   EcError when more than m are missing: it never returns wrong bytes
//   for a decodable set (Reed-Solomon is MDS: every k-subset works).
// - Fragment sizes are multiples of alignment() (Jerasure's region
//   operations and, for Cauchy, its packet schedule need it); callers pad.
//
// Memory: the coding matrix (and for Cauchy its bit-matrix schedule), a few
// KiB; encode and decode work in place on the caller's buffers (decode
// allocates its k x k decoding matrix per call).
//
// Thread-safe after construction: encode/decode only read the codec.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::ec {

// Which generator matrix. Both are MDS; Cauchy (with Jerasure's "good"
// matrix and smart XOR schedule) trades GF multiplications for XORs.
enum class RsAlgorithm { vandermonde, cauchy };

std::string_view to_string(RsAlgorithm algorithm);

class EcError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ReedSolomon {
public:
    // Limits: 1 <= k, 1 <= m, k + m <= kMaxFragments (GF(2^8) allows 256;
    // more than 32 drives per object makes no sense on one grid level).
    static constexpr int kMaxFragments = 32;

    // Throws EcError for k, m out of range.
    ReedSolomon(int k, int m, RsAlgorithm algorithm);
    ~ReedSolomon();
    ReedSolomon(const ReedSolomon&) = delete;
    ReedSolomon& operator=(const ReedSolomon&) = delete;
    ReedSolomon(ReedSolomon&&) noexcept;
    ReedSolomon& operator=(ReedSolomon&&) noexcept;

    int k() const { return k_; }
    int m() const { return m_; }
    RsAlgorithm algorithm() const { return algorithm_; }

    // Every fragment size is a multiple of this.
    std::size_t alignment() const { return alignment_of(algorithm_); }
    // The same, for a codec of `algorithm`: 16 bytes for Vandermonde, 16 KiB
    // for Cauchy (its XOR schedule works on w packets of 2 KiB).
    static std::size_t alignment_of(RsAlgorithm algorithm);
    // The fragment size for a segment of `segment_bytes`: the smallest
    // multiple of alignment() that is at least segment_bytes / k (never 0).
    std::size_t fragment_size(std::size_t segment_bytes) const;

    // fragments: k + m pointers to `fragment_bytes` each (a multiple of
    // alignment()); reads [0, k), writes [k, k + m).
    void encode(std::span<char* const> fragments, std::size_t fragment_bytes) const;

    // Rebuilds fragments whose indexes are in `missing` (0 <= i < k + m, no
    // repeats) from the others, in place. Throws EcError when more than m
    // are missing (the message says how many of how many).
    void decode(std::span<char* const> fragments, std::span<const int> missing, std::size_t fragment_bytes) const;

    // What a degraded read needs, and no more: rebuilds the data fragments
    // (indexes < k) listed in `unavailable` from the first k fragments not
    // listed there, in index order. Fragments past those k are not read, and
    // parity fragments are never rebuilt, so they may hold anything. Throws
    // EcError when fewer than k fragments are available.
    void decode_data(std::span<char* const> fragments, std::span<const int> unavailable,
                     std::size_t fragment_bytes) const;

private:
    void check_fragments(std::span<char* const> fragments, std::size_t fragment_bytes) const;

    int k_;
    int m_;
    RsAlgorithm algorithm_;
    struct Tables;  // Jerasure's matrices (malloc'd by it, freed here)
    std::unique_ptr<Tables> tables_;
};

}  // namespace shoal::ec
