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
                             std::uint64_t inline_threshold, ChecksumAlgorithm checksum, std::uint64_t max_size)
    : store_(store), owner_(std::move(owner)), policy_(policy), inline_threshold_(inline_threshold),
      max_size_(max_size), hashing_(checksum) {}

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
    if (!copies_.empty()) co_await finish_chunk();
    digests_ = hashing_.finish();
}

asio::awaitable<void> ContentWriter::start_chunk() {
    const std::vector<std::uint64_t> drives =
        store_.conscience().pick_distinct_for_write(static_cast<std::size_t>(policy_.copies));
    if (static_cast<int>(drives.size()) < policy_.write_quorum()) {
        throw StorageUnavailable("storage policy " + policy_.to_string() + " needs " +
                                 std::to_string(policy_.write_quorum()) + " drives that take writes; " +
                                 (drives.empty() ? std::string("none does") : "only " + std::to_string(drives.size()) + " does") +
                                 " (all others full or failed: see the drive scores)");
    }
    chunk::ChunkOwner owner = owner_;
    owner.index = chunk_index_;
    owner.offset = written_;
    chunk_offset_ = written_;
    copies_.resize(drives.size());
    for (std::size_t i = 0; i < drives.size(); ++i) {
        copies_[i].ref = meta::ChunkRef{"", drives[i], written_, 0, static_cast<std::uint32_t>(i)};
    }
    // Each copy's header names the policy too, so that a drive's chunks tell
    // what they are without the metadata.
    chunk::ChunkCodec codec;
    codec.policy = policy_.to_string();
    co_await store_.pool().run([&] {
        for_each_copy([&](Copy& copy) {
            copy.writer.emplace(store_.drive(copy.ref.drive)->create(chunk::ChunkId::random(), owner, codec));
        });
    });
}

asio::awaitable<void> ContentWriter::finish_chunk() {
    co_await store_.pool().run([&] {
        for_each_copy([](Copy& copy) {
            const chunk::ChunkInfo info = copy.writer->finish();
            copy.ref.chunk_id = info.id.to_string();
            copy.ref.length = info.size;
        });
    });
    if (static_cast<int>(copies_.size()) < policy_.copies) {
        // Acknowledged with fewer copies than wanted: perfectible, for repair.
        store_.log().warn("chunk stored with fewer copies than its policy wants",
                          {{"bucket", owner_.bucket}, {"key", owner_.key}, {"chunk", chunk_index_},
                           {"policy", policy_.to_string()}, {"copies", copies_.size()}});
    }
    for (Copy& copy : copies_) chunks_.push_back(std::move(copy.ref));
    copies_.clear();
    ++chunk_index_;
}

void ContentWriter::for_each_copy(const std::function<void(Copy&)>& step) {
    for (Copy& copy : copies_) {
        try {
            step(copy);
        } catch (const chunk::ChunkError& e) {
            copy.failure = e.what();
        }
    }
    std::string failed;  // the drives that failed, for the error
    for (auto it = copies_.begin(); it != copies_.end();) {
        if (it->failure.empty()) {
            ++it;
            continue;
        }
        // A drive that fails a write takes no more until it is looked at.
        store_.conscience().report_failure(it->ref.drive, it->failure);
        store_.log().warn("chunk copy dropped: its drive failed",
                          {{"drive", meta::format_version_id(it->ref.drive)}, {"error", it->failure}});
        failed += (failed.empty() ? "" : "; ") + it->failure;
        if (!it->ref.chunk_id.empty()) store_.remove_chunks({it->ref});  // finished, then another failed
        it = copies_.erase(it);  // an unfinished writer removes its pending file
    }
    if (!failed.empty() && static_cast<int>(copies_.size()) < policy_.write_quorum()) {
        throw StorageUnavailable("storage policy " + policy_.to_string() + " needs " +
                                 std::to_string(policy_.write_quorum()) + " copies of each chunk, only " +
                                 std::to_string(copies_.size()) + " could be written: " + failed);
    }
}

asio::awaitable<void> ContentWriter::append(std::string_view data, Hashed hashed) {
    const std::uint64_t chunk_size = store_.options().chunk_size;
    while (!data.empty()) {
        if (copies_.empty()) co_await start_chunk();
        const std::uint64_t in_chunk = written_ - chunk_offset_;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), chunk_size - in_chunk));
        // Digests (MD5 and the checksum) are computed on the pool with the
        // write, so a large upload never holds up the event loop.
        co_await store_.pool().run([&] {
            if (hashed == Hashed::not_yet) hashing_.update(data.substr(0, n));
            for_each_copy([&](Copy& copy) { copy.writer->append(data.data(), n); });
        });
        written_ += n;
        data.remove_prefix(n);
        if (written_ - chunk_offset_ == chunk_size) co_await finish_chunk();
    }
}

asio::awaitable<void> ContentWriter::discard() {
    if (kept_) co_return;
    std::vector<meta::ChunkRef> finished = std::move(chunks_);
    for (const Copy& copy : copies_) {
        if (!copy.ref.chunk_id.empty()) finished.push_back(copy.ref);
    }
    chunks_.clear();
    co_await store_.pool().run([&] {
        copies_.clear();  // unfinished writers remove their pending files
        store_.remove_chunks(finished);
    });
}

}  // namespace shoal::engine
