#include "core/engine/content_writer.hpp"

#include <algorithm>
#include <memory>
#include <span>

#include "core/engine/object_store.hpp"

namespace shoal::engine {

namespace {
constexpr std::size_t kFirstBuffer = 64 * 1024;  // above the inline threshold's default (4 KiB)
}  // namespace

ContentWriter::ContentWriter(ObjectStore& store, chunk::ChunkOwner owner, ec::StoragePolicy policy,
                             std::uint32_t segment_size, std::uint64_t inline_threshold, ChecksumAlgorithm checksum,
                             std::uint64_t max_size)
    : store_(store), owner_(std::move(owner)), policy_(policy), inline_threshold_(inline_threshold),
      max_size_(max_size), chunk_bytes_(store.options().chunk_size), hashing_(checksum) {
    if (erasure()) {
        layout_.emplace(store.codec(policy_), segment_size);
        encoder_.emplace(*layout_);
        // A group of about k chunks' worth, so that each fragment file is
        // about a chunk; a whole number of segments.
        const std::uint64_t group = chunk_bytes_ * static_cast<std::uint64_t>(policy_.k);
        chunk_bytes_ = std::max<std::uint64_t>(1, group / segment_size) * segment_size;
    }
}

asio::awaitable<void> ContentWriter::consume(ByteSource& source) {
    // Most bodies are small: start with a small buffer, and take the full I/O
    // buffer once the content outgrows it. Not zero-filled: reads fill it.
    const std::size_t io_buffer = store_.options().io_buffer;
    std::size_t capacity = std::min(kFirstBuffer, io_buffer);
    auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
    std::uint64_t total = 0;
    bool chunked = inline_threshold_ == 0;
    while (true) {
        if (total >= capacity && capacity < io_buffer) {
            capacity = io_buffer;
            buffer = std::make_unique_for_overwrite<char[]>(capacity);
        }
        const std::size_t n = co_await source.read(std::span<char>(buffer.get(), capacity));
        if (n == 0) break;
        total += n;
        if (total > max_size_) throw TooLarge("content larger than " + std::to_string(max_size_) + " bytes");
        const std::string_view data(buffer.get(), n);
        if (!chunked && inline_data_.size() + n <= inline_threshold_) {
            hashing_.update(data);  // a few KiB at most: on the event loop
            inline_data_.append(data);
            continue;
        }
        if (!chunked) {
            chunked = true;
            const std::string head = std::move(inline_data_);
            inline_data_.clear();
            co_await append(head, Hashed::already);
        }
        co_await append(data, Hashed::not_yet);
    }
    if (!pieces_.empty()) co_await finish_chunk();
    digests_ = hashing_.finish();
}

asio::awaitable<void> ContentWriter::start_chunk() {
    const std::vector<std::uint64_t> drives =
        store_.conscience().pick_distinct_for_write(static_cast<std::size_t>(policy_.pieces()));
    if (static_cast<int>(drives.size()) < policy_.write_quorum()) {
        throw StorageUnavailable("storage policy " + policy_.to_string() + " needs " +
                                 std::to_string(policy_.write_quorum()) + " drives that take writes; " +
                                 (drives.empty() ? std::string("none does") : "only " + std::to_string(drives.size()) + " does") +
                                 " (all others full or failed: see the drive scores)");
    }
    left_out_.clear();
    if (static_cast<int>(drives.size()) < policy_.pieces()) {
        // The drives not drawn take no writes (a score of 0): say which and why.
        for (const placement::DriveScore& score : store_.conscience().scores()) {
            if (std::find(drives.begin(), drives.end(), score.id) != drives.end()) continue;
            note_left_out(score.id, score.why.empty() ? "takes no writes" : score.why);
        }
    }
    chunk::ChunkOwner owner = owner_;
    owner.index = chunk_index_;
    owner.offset = written_;
    chunk_offset_ = written_;
    pieces_.resize(drives.size());
    for (std::size_t i = 0; i < drives.size(); ++i) {
        pieces_[i].ref = meta::ChunkRef{"", drives[i], written_, 0, static_cast<std::uint32_t>(i)};
    }
    // Each piece's header names the policy (and for EC its fragment), so
    // that a drive's chunks tell what they are without the metadata.
    chunk::ChunkCodec codec;
    codec.policy = policy_.to_string();
    if (erasure()) {
        codec.k = static_cast<std::uint8_t>(policy_.k);
        codec.m = static_cast<std::uint8_t>(policy_.m);
        codec.segment_size = layout_->segment_bytes();
    }
    co_await store_.pool().run([&] {
        for_each_piece([&](Piece& piece) {
            chunk::ChunkCodec own = codec;
            if (erasure()) own.fragment = static_cast<std::uint8_t>(piece.ref.piece);
            piece.writer.emplace(store_.drive(piece.ref.drive)->create(chunk::ChunkId::random(), owner, own));
        });
    });
}

asio::awaitable<void> ContentWriter::finish_chunk() {
    const std::uint64_t content_bytes = written_ - chunk_offset_;
    co_await store_.pool().run([&] {
        if (erasure() && !encoder_->empty()) write_segment();  // the last, shorter segment
        for_each_piece([&](Piece& piece) {
            const chunk::ChunkInfo info = piece.writer->finish();
            piece.ref.chunk_id = info.id.to_string();
            // Copies: the chunk's bytes; fragments: the content bytes of the
            // group (the file's size follows from the layout).
            piece.ref.length = erasure() ? content_bytes : info.size;
        });
    });
    if (static_cast<int>(pieces_.size()) < policy_.pieces()) {
        // Acknowledged with fewer pieces than wanted: the caller queues it
        // for repair with its commit (a part: with its completed object).
        ++short_chunks_;
        shortfall_ = left_out_;
        store_.log().warn("chunk stored with fewer pieces than its policy wants",
                          {{"bucket", owner_.bucket}, {"key", owner_.key}, {"chunk", chunk_index_},
                           {"policy", policy_.to_string()}, {"pieces", pieces_.size()},
                           {"wanted", policy_.pieces()}, {"left_out", left_out_}});
    }
    for (Piece& piece : pieces_) chunks_.push_back(std::move(piece.ref));
    pieces_.clear();
    ++chunk_index_;
}

void ContentWriter::for_each_piece(const std::function<void(Piece&)>& step) {
    for (Piece& piece : pieces_) {
        try {
            step(piece);
        } catch (const chunk::ChunkError& e) {
            piece.failure = e.what();
            piece.full = e.code() == chunk::ChunkErrc::no_space;
        }
    }
    std::string failed;  // the drives that failed, for the error
    for (auto it = pieces_.begin(); it != pieces_.end();) {
        if (it->failure.empty()) {
            ++it;
            continue;
        }
        // A drive that fails a write takes no more until it is looked at; a
        // full one, until space is freed.
        if (it->full) {
            store_.conscience().report_full(it->ref.drive, it->failure);
        } else {
            store_.conscience().report_failure(it->ref.drive, it->failure);
        }
        store_.log().warn("chunk piece dropped: its drive failed",
                          {{"drive", meta::format_version_id(it->ref.drive)}, {"error", it->failure}});
        note_left_out(it->ref.drive, it->failure);
        failed += (failed.empty() ? "" : "; ") + it->failure;
        if (!it->ref.chunk_id.empty()) store_.remove_chunks({it->ref});  // finished, then another failed
        it = pieces_.erase(it);  // an unfinished writer removes its pending file
    }
    if (!failed.empty() && static_cast<int>(pieces_.size()) < policy_.write_quorum()) {
        throw StorageUnavailable("storage policy " + policy_.to_string() + " needs " +
                                 std::to_string(policy_.write_quorum()) + " pieces of each chunk, only " +
                                 std::to_string(pieces_.size()) + " could be written: " + failed);
    }
}

void ContentWriter::note_left_out(std::uint64_t drive, const std::string& why) {
    const chunk::ChunkStore* store = store_.drive(drive);
    left_out_ += (left_out_.empty() ? "" : "; ") + std::string("drive ") + meta::format_version_id(drive) +
                 (store != nullptr ? " (" + store->drive().string() + ")" : std::string()) + ": " + why;
}

void ContentWriter::write_segment() {
    const std::vector<std::span<const char>>& fragments = encoder_->encode();
    for_each_piece([&](Piece& piece) {
        const std::span<const char> fragment = fragments[piece.ref.piece];
        piece.writer->append(fragment.data(), fragment.size());
    });
}

void ContentWriter::write_pieces(std::string_view data) {
    if (!erasure()) {
        for_each_piece([&](Piece& piece) { piece.writer->append(data.data(), data.size()); });
        return;
    }
    while (!data.empty()) {
        data.remove_prefix(encoder_->add(std::span<const char>(data.data(), data.size())));
        if (encoder_->full()) write_segment();
    }
}

asio::awaitable<void> ContentWriter::append(std::string_view data, Hashed hashed) {
    while (!data.empty()) {
        if (pieces_.empty()) co_await start_chunk();
        const std::uint64_t in_chunk = written_ - chunk_offset_;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), chunk_bytes_ - in_chunk));
        // Digests (MD5 and the checksum) are computed on the pool with the
        // write, so a large upload never holds up the event loop.
        co_await store_.pool().run([&] {
            if (hashed == Hashed::not_yet) hashing_.update(data.substr(0, n));
            write_pieces(data.substr(0, n));
        });
        written_ += n;
        data.remove_prefix(n);
        if (written_ - chunk_offset_ == chunk_bytes_) co_await finish_chunk();
    }
}

asio::awaitable<void> ContentWriter::discard() {
    if (kept_) co_return;
    std::vector<meta::ChunkRef> finished = std::move(chunks_);
    for (const Piece& piece : pieces_) {
        if (!piece.ref.chunk_id.empty()) finished.push_back(piece.ref);
    }
    chunks_.clear();
    co_await store_.pool().run([&] {
        pieces_.clear();  // unfinished writers remove their pending files
        store_.remove_chunks(finished);
    });
}

}  // namespace shoal::engine
