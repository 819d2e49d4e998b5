// Storage policies: how an object's data is protected (data security) and how
// far apart its pieces must lie (placement distance). A policy is named, and
// the name is all a request or a bucket needs to give:
//
//   SINGLE                one copy
//   TWOCOPIES             2 copies        THREECOPIES   3 copies
//   COPIES<n>             n copies (1 <= n <= 8)
//   EC<k>+<m>             Reed-Solomon, k data + m parity fragments per
//                         segment (Vandermonde); EC<k>+<m>/cauchy for Cauchy
//
// optionally followed by "@drive", "@node", "@rack" or "@site": the smallest
// location level that must differ between any two pieces of one segment
// (default: drive — a node of one is a grid of one).
//
// Invariants:
// - parse(to_string(p)) == p for every valid policy, and to_string gives the
//   canonical name (upper case, defaults omitted), which is what objects
//   record: a read never depends on the policy table of the day.
// - pieces() pieces are written per segment; any tolerated() of them may be
//   lost without losing data; a write is acknowledged once write_quorum()
//   pieces are durable (copies: a majority; EC: k + 1, so that one more
//   loss is still survivable), and marked for repair if fewer than pieces().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ec/reed_solomon.hpp"

namespace shoal::ec {

// Location levels, nearest first; a grid of one node has only drives.
enum class LocationLevel { drive = 0, node = 1, rack = 2, site = 3 };

std::string_view to_string(LocationLevel level);

struct StoragePolicy {
    enum class Kind { copies, erasure };

    Kind kind = Kind::copies;
    int copies = 1;  // Kind::copies
    int k = 0;       // Kind::erasure
    int m = 0;
    RsAlgorithm algorithm = RsAlgorithm::vandermonde;
    LocationLevel distance = LocationLevel::drive;

    // nullopt when `name` is not a policy name (see above).
    static std::optional<StoragePolicy> parse(std::string_view name);

    std::string to_string() const;
    int pieces() const { return kind == Kind::copies ? copies : k + m; }
    int tolerated() const { return kind == Kind::copies ? copies - 1 : m; }
    int write_quorum() const;

    bool operator==(const StoragePolicy&) const = default;
};

// Whether every piece of a segment can lie on its own drive among `drives`
// (at distance `drive`; higher levels need the grid's location map).
inline bool fits(const StoragePolicy& policy, std::size_t drives) {
    return static_cast<std::size_t>(policy.pieces()) <= drives;
}

}  // namespace shoal::ec
