#include "core/engine/piece_repair.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include "core/ec/segment_layout.hpp"
#include "core/engine/object_store.hpp"

namespace shoal::engine {
namespace {

constexpr std::size_t kCopyBuffer = 1024 * 1024;

// A good piece, open.
struct GoodPiece {
    meta::ChunkRef ref;
    chunk::ChunkReader reader;
};

// A piece being written, and the ref it will get.
struct NewPiece {
    std::optional<chunk::ChunkWriter> writer;
    meta::ChunkRef ref;
};

class GroupRepair {
public:
    GroupRepair(ObjectStore& store, const std::string& object, const ec::StoragePolicy& policy,
                std::uint32_t segment_size, const PieceCheck& check, RestoredPieces& out)
        : store_(store), object_(object), policy_(policy), segment_size_(segment_size), check_(check), out_(out) {}

    // Restores the pieces of one chunk (copies) or group (EC), appending the
    // resulting refs to out_.chunks.
    void run(std::span<const meta::ChunkRef> group);

private:
    bool erasure() const { return policy_.kind == ec::StoragePolicy::Kind::erasure; }
    // Opens and checks one piece; nullopt (and the reason in `why`) if bad.
    std::optional<GoodPiece> check_piece(const meta::ChunkRef& ref, std::string& why);
    void copy_from(GoodPiece& source, std::vector<NewPiece>& targets);
    // A drive failed writing a new piece: the conscience hears of it.
    void report(std::uint64_t drive, const chunk::ChunkError& e);
    void decode_into(std::vector<GoodPiece>& good, std::vector<NewPiece>& targets, std::uint64_t group_bytes);

    ObjectStore& store_;
    const std::string& object_;
    const ec::StoragePolicy& policy_;
    const std::uint32_t segment_size_;
    const PieceCheck& check_;
    RestoredPieces& out_;
};

std::optional<GoodPiece> GroupRepair::check_piece(const meta::ChunkRef& ref, std::string& why) {
    if (check_.lost && check_.lost(ref.drive)) {
        why = "its drive is lost";
        return std::nullopt;
    }
    chunk::ChunkStore* drive = store_.drive(ref.drive);
    const auto id = chunk::ChunkId::parse(ref.chunk_id);
    if (drive == nullptr || !id) {
        why = "its drive " + meta::format_version_id(ref.drive) + " is not on this node";
        return std::nullopt;
    }
    try {
        chunk::ChunkReader reader = drive->open(*id);
        ++out_.pieces_checked;
        std::uint64_t expected = ref.length;
        if (erasure()) {
            const ec::SegmentLayout layout(store_.codec(policy_), segment_size_);
            expected = layout.fragment_file_bytes(ref.length);
            if (reader.header().codec.fragment != ref.piece) {
                why = "the file holds fragment " + std::to_string(reader.header().codec.fragment);
                return std::nullopt;
            }
        }
        if (reader.size() != expected) {
            why = "the file holds " + std::to_string(reader.size()) + " bytes, not " + std::to_string(expected);
            return std::nullopt;
        }
        const bool suspect =
            std::find(check_.suspect.begin(), check_.suspect.end(), ref.chunk_id) != check_.suspect.end();
        if (check_.verify_data || suspect) {
            reader.verify_all();
            out_.bytes_read += reader.size();
        }
        return GoodPiece{ref, std::move(reader)};
    } catch (const chunk::ChunkError& e) {
        why = e.what();
        return std::nullopt;
    }
}

void GroupRepair::report(std::uint64_t drive, const chunk::ChunkError& e) {
    if (e.code() == chunk::ChunkErrc::no_space) {
        store_.conscience().report_full(drive, e.what());
    } else {
        store_.conscience().report_failure(drive, e.what());
    }
}

void GroupRepair::copy_from(GoodPiece& source, std::vector<NewPiece>& targets) {
    const auto buffer = std::make_unique_for_overwrite<char[]>(kCopyBuffer);
    for (std::uint64_t at = 0; at < source.reader.size();) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kCopyBuffer, source.reader.size() - at));
        source.reader.read(at, n, buffer.get());
        out_.bytes_read += n;
        for (NewPiece& target : targets) {
            if (target.writer) target.writer->append(buffer.get(), n);
        }
        at += n;
    }
}

void GroupRepair::decode_into(std::vector<GoodPiece>& good, std::vector<NewPiece>& targets,
                              std::uint64_t group_bytes) {
    const ec::ReedSolomon& codec = store_.codec(policy_);
    const ec::SegmentLayout layout(codec, segment_size_);
    const int k = codec.k();
    const auto total = static_cast<std::size_t>(k + codec.m());
    const auto buffer = std::make_unique_for_overwrite<char[]>(total * layout.full_fragment_bytes());
    std::vector<char*> fragments(total);
    // Decode from the first k good fragments; every other index is rebuilt
    // (decode() wants exactly the ones it does not get).
    std::vector<GoodPiece*> sources;
    for (GoodPiece& piece : good) {
        if (static_cast<int>(sources.size()) < k) sources.push_back(&piece);
    }
    std::vector<int> missing;
    for (std::size_t i = 0; i < total; ++i) {
        const bool source = std::any_of(sources.begin(), sources.end(),
                                        [&](const GoodPiece* p) { return p->ref.piece == i; });
        if (!source) missing.push_back(static_cast<int>(i));
    }
    for (std::uint64_t s = 0; s < layout.segment_count(group_bytes); ++s) {
        const std::size_t f = layout.fragment_bytes(layout.segment_length(group_bytes, s));
        for (std::size_t i = 0; i < total; ++i) fragments[i] = buffer.get() + i * f;
        for (GoodPiece* piece : sources) {
            piece->reader.read(layout.fragment_offset(s), f, fragments[piece->ref.piece]);
            out_.bytes_read += f;
        }
        codec.decode(fragments, missing, f);
        for (NewPiece& target : targets) {
            if (target.writer) target.writer->append(fragments[target.ref.piece], f);
        }
    }
}

void GroupRepair::run(std::span<const meta::ChunkRef> group) {
    std::vector<GoodPiece> good;
    std::vector<meta::ChunkRef> bad;
    std::string reasons;
    for (const meta::ChunkRef& ref : group) {
        std::string why;
        // A second ref claiming a piece number already good is surplus.
        const bool duplicate = std::any_of(good.begin(), good.end(), [&](const GoodPiece& g) {
            return g.ref.piece == ref.piece;
        });
        std::optional<GoodPiece> piece = duplicate ? std::nullopt : check_piece(ref, why);
        if (piece) {
            good.push_back(std::move(*piece));
            continue;
        }
        bad.push_back(ref);
        if (!why.empty()) {
            reasons += (reasons.empty() ? "" : "; ") + std::string("piece ") + std::to_string(ref.piece) + ": " + why;
        }
    }
    const meta::ChunkRef& first = group.front();
    const int wanted = policy_.pieces();
    const int needed = erasure() ? policy_.k : 1;
    std::vector<std::uint32_t> missing;
    for (int p = 0; p < wanted; ++p) {
        const auto piece = static_cast<std::uint32_t>(p);
        if (std::none_of(good.begin(), good.end(), [&](const GoodPiece& g) { return g.ref.piece == piece; })) {
            missing.push_back(piece);
        }
    }
    const auto keep_as_is = [&] { out_.chunks.insert(out_.chunks.end(), group.begin(), group.end()); };
    if (missing.empty() && bad.empty()) {
        keep_as_is();
        return;
    }
    const std::string where = "object " + object_ + ", chunk at " + std::to_string(first.offset);
    if (static_cast<int>(good.size()) < needed) {
        out_.unrecoverable.push_back(where + ": " + std::to_string(good.size()) + " good pieces, " +
                                     std::to_string(needed) + " needed to rebuild (" + reasons + ")");
        keep_as_is();
        return;
    }
    // New pieces go to drives holding no good piece of this chunk (a drive
    // whose piece is merely damaged may take the new one).
    std::vector<std::uint64_t> exclude;
    for (const GoodPiece& g : good) exclude.push_back(g.ref.drive);
    for (const meta::ChunkRef& b : bad) {
        if (check_.lost && check_.lost(b.drive)) exclude.push_back(b.drive);
    }
    const std::vector<std::uint64_t> drives = store_.conscience().pick_distinct_for_write(missing.size(), exclude);
    if (drives.size() < missing.size()) {
        out_.short_of.push_back(where + ": " + std::to_string(missing.size()) + " pieces to rebuild, " +
                                std::to_string(drives.size()) + " drives can take them");
    }
    if (drives.empty()) {  // nowhere to put them: read nothing, try again later
        keep_as_is();
        return;
    }
    store_.log().warn("rebuilding chunk pieces",
                      {{"object", object_}, {"offset", first.offset}, {"missing", missing.size()},
                       {"policy", policy_.to_string()}, {"why", reasons}});
    chunk::ChunkOwner owner = good.front().reader.header().owner;
    std::vector<NewPiece> targets(std::min(drives.size(), missing.size()));
    for (std::size_t i = 0; i < targets.size(); ++i) {
        chunk::ChunkCodec codec = good.front().reader.header().codec;
        codec.fragment = static_cast<std::uint8_t>(erasure() ? missing[i] : 0);
        targets[i].ref = meta::ChunkRef{"", drives[i], first.offset, first.length, missing[i]};
        try {
            targets[i].writer.emplace(
                store_.drive(drives[i])->create(chunk::ChunkId::random(), owner, codec));
        } catch (const chunk::ChunkError& e) {
            report(drives[i], e);
        }
    }
    try {
        if (erasure()) {
            decode_into(good, targets, first.length);
        } else {
            copy_from(good.front(), targets);
        }
        for (NewPiece& target : targets) {
            if (!target.writer) continue;
            try {
                const chunk::ChunkInfo info = target.writer->finish();
                target.ref.chunk_id = info.id.to_string();
                out_.bytes_written += info.size;
            } catch (const chunk::ChunkError& e) {
                report(target.ref.drive, e);
            }
        }
    } catch (const std::exception& e) {
        // A good piece failed while being read: try again another time, with
        // what this check learned. Unfinished writers remove their files.
        out_.unrecoverable.push_back(where + ": reading a good piece failed: " + e.what());
        for (NewPiece& target : targets) {
            if (!target.ref.chunk_id.empty()) out_.added.push_back(target.ref);  // finished: the caller removes it
        }
        keep_as_is();
        return;
    }
    std::vector<meta::ChunkRef> result;
    for (const GoodPiece& g : good) result.push_back(g.ref);
    for (const NewPiece& target : targets) {
        if (target.ref.chunk_id.empty()) continue;
        result.push_back(target.ref);
        out_.added.push_back(target.ref);
    }
    std::sort(result.begin(), result.end(),
              [](const meta::ChunkRef& a, const meta::ChunkRef& b) { return a.piece < b.piece; });
    out_.chunks.insert(out_.chunks.end(), result.begin(), result.end());
    out_.dropped.insert(out_.dropped.end(), bad.begin(), bad.end());
}

}  // namespace

std::size_t chunks_short_of(const std::vector<meta::ChunkRef>& chunks, const ec::StoragePolicy& policy) {
    std::size_t short_chunks = 0;
    for (std::size_t first = 0; first < chunks.size();) {
        std::size_t last = first + 1;
        while (last < chunks.size() && chunks[last].offset == chunks[first].offset) ++last;
        std::vector<std::uint32_t> pieces;
        for (std::size_t i = first; i < last; ++i) pieces.push_back(chunks[i].piece);
        std::sort(pieces.begin(), pieces.end());
        pieces.erase(std::unique(pieces.begin(), pieces.end()), pieces.end());
        if (static_cast<int>(pieces.size()) < policy.pieces()) ++short_chunks;
        first = last;
    }
    return short_chunks;
}

RestoredPieces restore_pieces(ObjectStore& store, const std::string& object, const ec::StoragePolicy& policy,
                              std::uint32_t segment_size, const std::vector<meta::ChunkRef>& chunks,
                              const PieceCheck& check) {
    RestoredPieces out;
    GroupRepair repair(store, object, policy, segment_size, check, out);
    for (std::size_t first = 0; first < chunks.size();) {
        std::size_t last = first + 1;
        while (last < chunks.size() && chunks[last].offset == chunks[first].offset) ++last;
        repair.run(std::span<const meta::ChunkRef>(chunks.data() + first, last - first));
        first = last;
    }
    return out;
}

}  // namespace shoal::engine
