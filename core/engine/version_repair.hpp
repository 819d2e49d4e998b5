// Repairs one stored object version: checks its pieces and rebuilds the
// missing or damaged ones (restore_pieces), then commits the new chunk list
// into the version's record and frees the pieces it replaced.
//
// Invariants:
// - The commit happens only if the record still lists exactly the pieces
//   that were checked (the object may have been overwritten, deleted or
//   repaired by someone else meanwhile); otherwise the new pieces are
//   removed and nothing changes. Running it twice is harmless.
// - Replaced pieces are freed after the commit, behind any read lease that
//   may still be reading them.
// - A version left with fewer pieces than its policy wants (no drive could
//   take them) is put in the catalog's repair queue, in the repair's commit
//   (or one of its own when nothing else changed), unless the caller works
//   through that queue itself (QueueShort::no).
//
// Blocking (chunk I/O and a metadata commit): run it on a thread of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/piece_repair.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

class ObjectStore;

struct RepairStats {
    std::uint64_t versions = 0;          // versions looked at
    std::uint64_t pieces_checked = 0;
    std::uint64_t pieces_rebuilt = 0;
    std::uint64_t pieces_dropped = 0;    // bad pieces replaced
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t unrecoverable = 0;     // chunks that could not be rebuilt
    std::uint64_t short_of = 0;          // chunks left with fewer pieces than wanted
    std::uint64_t stale = 0;             // repairs dropped: the version changed meanwhile

    void add(const RepairStats& other);
};

enum class QueueShort { yes, no };

// `version` as listed (its chunks and policy are what is checked).
RepairStats repair_version(ObjectStore& store, const std::string& bucket, const meta::ObjectVersion& version,
                           const PieceCheck& check, QueueShort queue_short = QueueShort::yes);

}  // namespace shoal::engine
