#include "core/ec/reed_solomon.hpp"

#include <cstdlib>
#include <mutex>

extern "C" {
#include <cauchy.h>
#include <galois.h>
#include <jerasure.h>
#include <reed_sol.h>
}

namespace shoal::ec {
namespace {

constexpr int kWordBits = 8;  // GF(2^8): byte-wise, up to 256 fragments

// Cauchy's XOR schedule works on packets: a fragment is w packets per
// "superpacket". 2 KiB packets keep the schedule's loops long enough to run
// at memory speed without padding small fragments much (alignment 16 KiB).
constexpr int kCauchyPacket = 2048;

// gf-complete's region routines want 16-byte multiples for their SIMD paths.
constexpr std::size_t kVandermondeAlignment = 16;

// Jerasure keeps its GF(2^8) field tables in library globals, built on first
// use without a lock: build them once, before any codec can be shared.
void init_field_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (galois_init_default_field(kWordBits) != 0) throw EcError("cannot initialise GF(2^8) tables");
    });
}

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

}  // namespace

std::string_view to_string(RsAlgorithm algorithm) {
    return algorithm == RsAlgorithm::vandermonde ? "vandermonde" : "cauchy";
}

struct ReedSolomon::Tables {
    std::unique_ptr<int, FreeDeleter> matrix;     // m x k over GF(2^8)
    std::unique_ptr<int, FreeDeleter> bitmatrix;  // Cauchy: mw x kw over GF(2)
    int** schedule = nullptr;                     // Cauchy: the XOR operations for encoding

    ~Tables() {
        if (schedule != nullptr) jerasure_free_schedule(schedule);
    }
};

ReedSolomon::ReedSolomon(int k, int m, RsAlgorithm algorithm) : k_(k), m_(m), algorithm_(algorithm) {
    if (k < 1 || m < 1 || k + m > kMaxFragments) {
        throw EcError("erasure code " + std::to_string(k) + "+" + std::to_string(m) +
                      " is out of range (k >= 1, m >= 1, k + m <= " + std::to_string(kMaxFragments) + ")");
    }
    init_field_once();
    tables_ = std::make_unique<Tables>();
    if (algorithm == RsAlgorithm::vandermonde) {
        tables_->matrix.reset(reed_sol_vandermonde_coding_matrix(k, m, kWordBits));
    } else {
        tables_->matrix.reset(cauchy_good_general_coding_matrix(k, m, kWordBits));
        if (tables_->matrix) {
            tables_->bitmatrix.reset(jerasure_matrix_to_bitmatrix(k, m, kWordBits, tables_->matrix.get()));
        }
        if (tables_->bitmatrix) {
            tables_->schedule = jerasure_smart_bitmatrix_to_schedule(k, m, kWordBits, tables_->bitmatrix.get());
        }
        if (tables_->schedule == nullptr) tables_->matrix.reset();
    }
    if (!tables_->matrix) {
        throw EcError("cannot build the " + std::string(to_string(algorithm)) + " matrix for " + std::to_string(k) +
                      "+" + std::to_string(m));
    }
}

ReedSolomon::~ReedSolomon() = default;
ReedSolomon::ReedSolomon(ReedSolomon&&) noexcept = default;
ReedSolomon& ReedSolomon::operator=(ReedSolomon&&) noexcept = default;

std::size_t ReedSolomon::alignment_of(RsAlgorithm algorithm) {
    return algorithm == RsAlgorithm::vandermonde ? kVandermondeAlignment
                                                  : static_cast<std::size_t>(kWordBits) * kCauchyPacket;
}

std::size_t ReedSolomon::fragment_size(std::size_t segment_bytes) const {
    const auto k = static_cast<std::size_t>(k_);
    const std::size_t per_fragment = segment_bytes == 0 ? 1 : (segment_bytes + k - 1) / k;
    const std::size_t a = alignment();
    return (per_fragment + a - 1) / a * a;
}

void ReedSolomon::check_fragments(std::span<char* const> fragments, std::size_t fragment_bytes) const {
    if (fragments.size() != static_cast<std::size_t>(k_ + m_)) {
        throw EcError("expected " + std::to_string(k_ + m_) + " fragments, got " + std::to_string(fragments.size()));
    }
    // Jerasure takes sizes as int; fragments are at most a segment's share.
    if (fragment_bytes == 0 || fragment_bytes % alignment() != 0 || fragment_bytes > (1u << 30)) {
        throw EcError("fragment size " + std::to_string(fragment_bytes) + " is not a positive multiple of " +
                      std::to_string(alignment()));
    }
}

void ReedSolomon::encode(std::span<char* const> fragments, std::size_t fragment_bytes) const {
    check_fragments(fragments, fragment_bytes);
    // Jerasure's API is not const-correct: it only reads the pointer arrays.
    char** data = const_cast<char**>(fragments.data());
    char** parity = data + k_;
    const int size = static_cast<int>(fragment_bytes);
    if (algorithm_ == RsAlgorithm::vandermonde) {
        jerasure_matrix_encode(k_, m_, kWordBits, tables_->matrix.get(), data, parity, size);
    } else {
        jerasure_schedule_encode(k_, m_, kWordBits, tables_->schedule, data, parity, size, kCauchyPacket);
    }
}

void ReedSolomon::decode(std::span<char* const> fragments, std::span<const int> missing,
                         std::size_t fragment_bytes) const {
    check_fragments(fragments, fragment_bytes);
    if (missing.empty()) return;
    const int total = k_ + m_;
    if (missing.size() > static_cast<std::size_t>(m_)) {
        throw EcError(std::to_string(missing.size()) + " of " + std::to_string(total) +
                      " fragments are missing; " + std::to_string(k_) + "+" + std::to_string(m_) +
                      " rebuilds at most " + std::to_string(m_));
    }
    std::vector<bool> seen(static_cast<std::size_t>(total), false);
    std::vector<int> erasures;  // Jerasure's form: the indexes, then -1
    erasures.reserve(missing.size() + 1);
    for (const int index : missing) {
        if (index < 0 || index >= total || seen[static_cast<std::size_t>(index)]) {
            throw EcError("bad or repeated missing fragment index " + std::to_string(index));
        }
        seen[static_cast<std::size_t>(index)] = true;
        erasures.push_back(index);
    }
    erasures.push_back(-1);
    char** data = const_cast<char**>(fragments.data());
    char** parity = data + k_;
    const int size = static_cast<int>(fragment_bytes);
    int status = 0;
    if (algorithm_ == RsAlgorithm::vandermonde) {
        // row_k_ones: the first parity row of Jerasure's Vandermonde matrix is
        // all ones (plain XOR parity), which lets decoding take a shortcut.
        status = jerasure_matrix_decode(k_, m_, kWordBits, tables_->matrix.get(), 1, erasures.data(), data, parity,
                                        size);
    } else {
        status = jerasure_schedule_decode_lazy(k_, m_, kWordBits, tables_->bitmatrix.get(), erasures.data(), data,
                                               parity, size, kCauchyPacket, 1);
    }
    // Cannot happen for an MDS code with at most m erasures; never pass it on.
    if (status != 0) throw EcError("Jerasure could not decode " + std::to_string(missing.size()) + " fragments");
}

void ReedSolomon::decode_data(std::span<char* const> fragments, std::span<const int> unavailable,
                              std::size_t fragment_bytes) const {
    check_fragments(fragments, fragment_bytes);
    const int total = k_ + m_;
    std::vector<int> erased(static_cast<std::size_t>(total), 0);
    std::vector<int> lost_data;
    for (const int index : unavailable) {
        if (index < 0 || index >= total || erased[static_cast<std::size_t>(index)] != 0) {
            throw EcError("bad or repeated unavailable fragment index " + std::to_string(index));
        }
        erased[static_cast<std::size_t>(index)] = 1;
        if (index < k_) lost_data.push_back(index);
    }
    if (unavailable.size() > static_cast<std::size_t>(m_)) {
        throw EcError(std::to_string(unavailable.size()) + " of " + std::to_string(total) +
                      " fragments are unavailable; " + std::to_string(k_) + "+" + std::to_string(m_) +
                      " rebuilds at most " + std::to_string(m_));
    }
    if (lost_data.empty()) return;
    // Jerasure's decoding matrix takes the first k devices not erased: row i
    // of it, applied to them, gives data fragment i. Only the lost data rows
    // are computed (jerasure_matrix_decode would also re-encode erased
    // parity, which a read does not need).
    char** data = const_cast<char**>(fragments.data());
    char** parity = data + k_;
    const int size = static_cast<int>(fragment_bytes);
    std::vector<int> ids(static_cast<std::size_t>(k_));
    int status = 0;
    if (algorithm_ == RsAlgorithm::vandermonde) {
        std::vector<int> decoding(static_cast<std::size_t>(k_ * k_));
        status = jerasure_make_decoding_matrix(k_, m_, kWordBits, tables_->matrix.get(), erased.data(),
                                               decoding.data(), ids.data());
        if (status == 0) {
            for (const int i : lost_data) {
                jerasure_matrix_dotprod(k_, kWordBits, decoding.data() + i * k_, ids.data(), i, data, parity, size);
            }
        }
    } else {
        const int row = k_ * kWordBits * kWordBits;  // the w rows of one device, kw wide
        std::vector<int> decoding(static_cast<std::size_t>(row * k_));
        status = jerasure_make_decoding_bitmatrix(k_, m_, kWordBits, tables_->bitmatrix.get(), erased.data(),
                                                  decoding.data(), ids.data());
        if (status == 0) {
            for (const int i : lost_data) {
                jerasure_bitmatrix_dotprod(k_, kWordBits, decoding.data() + i * row, ids.data(), i, data, parity, size,
                                           kCauchyPacket);
            }
        }
    }
    if (status != 0) throw EcError("Jerasure could not invert the decoding matrix");
}

}  // namespace shoal::ec
