#include "core/engine/content_writer.hpp"

#include <algorithm>
#include <memory>
#include <span>

#include "core/engine/object_store.hpp"

namespace shoal::engine {

namespace {
constexpr std::size_t kFirstBuffer = 64 * 1024;  // above the inline threshold's default (4 KiB)
}  // namespace

ContentWriter::ContentWriter(ObjectStore& store, chunk::ChunkOwner owner, std::uint64_t inline_threshold,
                             ChecksumAlgorithm checksum, std::uint64_t max_size)
    : store_(store), owner_(std::move(owner)), inline_threshold_(inline_threshold), max_size_(max_size),
      hashing_(checksum) {}

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
    if (writer_) co_await finish_chunk();
    digests_ = hashing_.finish();
}

asio::awaitable<void> ContentWriter::start_chunk() {
    const auto picked = store_.conscience().pick_for_write();
    if (!picked) throw StorageUnavailable("no drive can take writes (all full or failed)");
    chunk::ChunkOwner owner = owner_;
    owner.index = static_cast<std::uint32_t>(chunks_.size());
    owner.offset = written_;
    chunk::ChunkStore* drive = store_.drive(*picked);
    writer_ = co_await store_.pool().run([&] { return drive->create(chunk::ChunkId::random(), owner); });
    chunks_.push_back(meta::ChunkRef{"", *picked, written_, 0});
}

asio::awaitable<void> ContentWriter::finish_chunk() {
    const chunk::ChunkInfo info = co_await store_.pool().run([&] { return writer_->finish(); });
    writer_.reset();
    chunks_.back().chunk_id = info.id.to_string();
    chunks_.back().length = info.size;
}

asio::awaitable<void> ContentWriter::append(std::string_view data, Hashed hashed) {
    const std::uint64_t chunk_size = store_.options().chunk_size;
    while (!data.empty()) {
        if (!writer_) co_await start_chunk();
        const std::uint64_t in_chunk = written_ - chunks_.back().offset;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), chunk_size - in_chunk));
        try {
            // Digests (MD5 and the checksum) are computed on the pool with the
            // write, so a large upload never holds up the event loop.
            co_await store_.pool().run([&] {
                if (hashed == Hashed::not_yet) hashing_.update(data.substr(0, n));
                writer_->append(data.data(), n);
            });
        } catch (const chunk::ChunkError& e) {
            // A drive that fails a write takes no more until it is looked at.
            store_.conscience().report_failure(chunks_.back().drive, e.what());
            throw;
        }
        written_ += n;
        data.remove_prefix(n);
        if (written_ - chunks_.back().offset == chunk_size) co_await finish_chunk();
    }
}

asio::awaitable<void> ContentWriter::discard() {
    if (kept_) co_return;
    std::vector<meta::ChunkRef> finished;
    for (const meta::ChunkRef& ref : chunks_) {
        if (!ref.chunk_id.empty()) finished.push_back(ref);
    }
    chunks_.clear();
    co_await store_.pool().run([&] {
        writer_.reset();  // an unfinished writer removes its pending file
        store_.remove_chunks(finished);
    });
}

}  // namespace shoal::engine
