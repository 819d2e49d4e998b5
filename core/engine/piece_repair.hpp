// Restores the full redundancy of one list of chunk pieces (an object
// version's): every chunk (copies) or chunk group (EC) gets back all the
// pieces its policy wants, written to drives that hold no other piece of it.
//
//   PieceCheck check;
//   check.verify_data = true;                       // scrub: read every byte
//   check.lost = [&](std::uint64_t d) { return d == dead; };  // rebuild
//   RestoredPieces r = restore_pieces(store, "bucket/key", policy, segment, version.chunks, check);
//   if (r.changed()) commit r.chunks, then free r.dropped (or remove r.added)
//
// A piece is bad when its drive is lost (or unknown to this node), its file
// is missing, has the wrong size or header, or (verify_data) fails a block or
// data checksum. Copies are rebuilt by copying a good copy; fragments by
// decoding each segment from k good ones and re-encoding the missing ones.
//
// Invariants:
// - Nothing is removed here: new pieces are durable chunk files not yet in
//   any metadata (the caller commits them, or removes `added`), and bad
//   pieces stay until the caller frees `dropped` after its commit.
// - A chunk that has fewer good pieces than it needs to be rebuilt (no good
//   copy; fewer than k fragments) is left exactly as it was and reported in
//   `unrecoverable`: a drive that comes back may still hold it.
// - New pieces carry the owner and codec of the good pieces they come from.
//
// Memory: one 1 MiB buffer (copies) or one segment's k + m fragments (EC).
// Blocking I/O: run it on a thread of its own, not on an event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/ec/storage_policy.hpp"
#include "core/meta/records.hpp"

namespace shoal::engine {

class ObjectStore;

struct PieceCheck {
    bool verify_data = false;  // read every block of every piece (scrub)
    std::vector<std::string> suspect;  // chunk ids to read in full even without verify_data (a read found them bad)
    std::function<bool(std::uint64_t drive)> lost;  // pieces on these drives count as gone (rebuild)
};

struct RestoredPieces {
    std::vector<meta::ChunkRef> chunks;   // the new list: good pieces and new ones, in content order
    std::vector<meta::ChunkRef> added;    // new pieces (durable, not yet referenced)
    std::vector<meta::ChunkRef> dropped;  // bad pieces the new list leaves out
    std::uint64_t pieces_checked = 0;
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    std::vector<std::string> unrecoverable;  // chunks that could not be rebuilt, and why
    std::vector<std::string> short_of;       // chunks rebuilt with fewer pieces than wanted (no drive left)

    bool changed() const { return !added.empty() || !dropped.empty(); }
};

// How many chunks (or groups) of `chunks` have fewer distinct pieces than
// `policy` wants (under-replicated: the repair queue's business).
std::size_t chunks_short_of(const std::vector<meta::ChunkRef>& chunks, const ec::StoragePolicy& policy);

// `object` names the object in logs and messages. `segment_size` is the
// version's (erasure coding), `policy` the one its chunks were written under.
RestoredPieces restore_pieces(ObjectStore& store, const std::string& object, const ec::StoragePolicy& policy,
                              std::uint32_t segment_size, const std::vector<meta::ChunkRef>& chunks,
                              const PieceCheck& check);

}  // namespace shoal::engine
