#include "core/engine/object_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/engine/async_commit.hpp"
#include "core/hash/encoding.hpp"

namespace shoal::engine {
namespace {

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::uint64_t now_us() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::uint64_t committed_seq(meta::Store& store) { return store.snapshot().catalog().last_seq(); }

}  // namespace

ObjectStore::ObjectStore(meta::Store& meta, std::vector<Drive> drives, placement::Conscience& conscience,
                         runtime::BlockingPool& pool, EngineOptions options, log::Logger& log)
    : meta_(meta),
      drives_(std::move(drives)),
      conscience_(conscience),
      pool_(pool),
      options_(options),
      log_(log),
      last_seq_(committed_seq(meta)) {}

std::uint64_t ObjectStore::next_seq() {
    std::uint64_t last = last_seq_.load();
    std::uint64_t next;
    do {
        next = std::max(last + 1, now_us() * 256);
    } while (!last_seq_.compare_exchange_weak(last, next));
    return next;
}

chunk::ChunkStore* ObjectStore::drive(std::uint64_t id) {
    for (Drive& d : drives_) {
        if (d.id == id) return d.chunks.get();
    }
    return nullptr;
}

asio::awaitable<meta::ObjectVersion> ObjectStore::put(PutInput input, ByteSource& source) {
    meta::ObjectVersion version;
    version.key = input.key;
    version.seq = next_seq();
    version.storage_class = input.storage_class;
    version.headers = std::move(input.headers);
    version.tags = std::move(input.tags);
    const std::string version_id = meta::format_version_id(version.seq);

    ContentDigests digests(input.checksum);
    std::string buffer(options_.io_buffer, '\0');
    std::string inline_data;
    std::optional<chunk::ChunkWriter> writer;
    std::uint64_t writer_drive = 0;
    std::uint64_t written = 0;  // content bytes so far
    bool committed = false;

    // Removes every chunk of this PUT unless it committed (errors, cancellation).
    auto cleanup = [&]() -> asio::awaitable<void> {
        if (committed) co_return;
        std::vector<meta::ChunkRef> refs = std::move(version.chunks);
        co_await pool_.run([&] {
            writer.reset();  // an unfinished writer removes its pending file
            for (const meta::ChunkRef& ref : refs) {
                if (chunk::ChunkStore* store = drive(ref.drive)) {
                    try {
                        if (auto id = chunk::ChunkId::parse(ref.chunk_id)) store->remove(*id);
                    } catch (const std::exception& e) {
                        log_.warn("cannot remove chunk of failed write", {{"chunk", ref.chunk_id}, {"error", e.what()}});
                    }
                }
            }
            return 0;
        });
    };

    // Opens a chunk for the next content bytes on a drive chosen by the conscience.
    auto start_chunk = [&]() -> asio::awaitable<void> {
        const auto picked = conscience_.pick_for_write();
        if (!picked) throw StorageUnavailable("no drive can take writes (all full or failed)");
        writer_drive = *picked;
        chunk::ChunkOwner owner;
        owner.bucket = input.bucket;
        owner.key = input.key;
        owner.version_id = version_id;
        owner.index = static_cast<std::uint32_t>(version.chunks.size());
        owner.offset = written;
        chunk::ChunkStore* store = drive(writer_drive);
        writer = co_await pool_.run([&] { return store->create(chunk::ChunkId::random(), owner); });
        version.chunks.push_back(meta::ChunkRef{"", writer_drive, written, 0});
    };

    auto finish_chunk = [&]() -> asio::awaitable<void> {
        const chunk::ChunkInfo info = co_await pool_.run([&] { return writer->finish(); });
        writer.reset();
        version.chunks.back().chunk_id = info.id.to_string();
        version.chunks.back().length = info.size;
    };

    // Appends content to chunks, cutting a new one every chunk_size bytes.
    auto append = [&](std::string_view data) -> asio::awaitable<void> {
        while (!data.empty()) {
            if (!writer) co_await start_chunk();
            const std::uint64_t in_chunk = written - version.chunks.back().offset;
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), options_.chunk_size - in_chunk));
            co_await pool_.run([&] {
                writer->append(data.data(), n);
                return 0;
            });
            written += n;
            data.remove_prefix(n);
            if (written - version.chunks.back().offset == options_.chunk_size) co_await finish_chunk();
        }
    };

    std::exception_ptr error;
    try {
        bool chunked = false;
        std::uint64_t total = 0;
        while (true) {
            const std::size_t n = co_await source.read(buffer);
            if (n == 0) break;
            total += n;
            if (total > input.max_size) throw TooLarge("object larger than allowed");
            const std::string_view data(buffer.data(), n);
            digests.update(data);
            if (!chunked && inline_data.size() + n <= options_.inline_threshold) {
                inline_data.append(data);
                continue;
            }
            if (!chunked) {
                chunked = true;
                const std::string head = std::move(inline_data);
                inline_data.clear();
                co_await append(head);
            }
            co_await append(data);
        }
        if (writer) co_await finish_chunk();

        const ContentDigests::Result result = digests.finish();
        version.size = result.size;
        version.etag = hash::hex_encode(result.md5);
        if (result.algorithm != ChecksumAlgorithm::none) {
            version.checksum_algorithm = std::string(checksum_name(result.algorithm));
            version.checksum = result.checksum;
        }
        version.inline_data = std::move(inline_data);
        if (input.verify) input.verify(result);
        version.modified_ms = now_ms();

        std::vector<meta::ObjectVersion> removed;
        co_await async_commit(meta_, [&](meta::Catalog& catalog) {
            const meta::BucketRecord bucket = catalog.bucket_or_refuse(input.bucket);
            if (input.precondition) input.precondition(catalog.newest(bucket, input.key));
            removed = catalog.put_version(bucket, version);
        });
        committed = true;
        co_await free_chunks(removed);
    } catch (...) {
        error = std::current_exception();  // cleaned up below: no co_await in a handler
    }
    if (error) {
        co_await cleanup();
        std::rethrow_exception(error);
    }
    co_return version;
}

asio::awaitable<void> ObjectStore::free_chunks(const std::vector<meta::ObjectVersion>& removed) {
    std::vector<meta::ChunkRef> refs;
    for (const meta::ObjectVersion& v : removed) refs.insert(refs.end(), v.chunks.begin(), v.chunks.end());
    if (refs.empty()) co_return;
    co_await pool_.run([&] {
        for (const meta::ChunkRef& ref : refs) {
            chunk::ChunkStore* store = drive(ref.drive);
            const auto id = chunk::ChunkId::parse(ref.chunk_id);
            if (store == nullptr || !id) continue;
            try {
                store->remove(*id);
            } catch (const std::exception& e) {
                // Left for the orphan collector; the metadata no longer points to it.
                log_.warn("cannot remove chunk", {{"chunk", ref.chunk_id}, {"error", e.what()}});
            }
        }
        return 0;
    });
}

asio::awaitable<DeleteOutcome> ObjectStore::remove(std::string bucket, std::string key,
                                                   std::optional<std::string> version_id) {
    DeleteOutcome outcome;
    std::vector<meta::ObjectVersion> removed;
    const std::uint64_t seq = next_seq();
    co_await async_commit(meta_, [&](meta::Catalog& catalog) {
        const meta::BucketRecord record = catalog.bucket_or_refuse(bucket);
        if (version_id) {
            if (!catalog.version(record, key, *version_id)) return;  // S3: deleting a missing version succeeds
            meta::ObjectVersion gone = catalog.delete_version(record, key, *version_id);
            outcome.found = true;
            outcome.delete_marker = gone.delete_marker;
            outcome.version_id = gone.version_id();
            removed.push_back(std::move(gone));
            return;
        }
        if (record.versioning == meta::Versioning::unversioned) {
            if (auto existing = catalog.version(record, key, "null")) {
                removed.push_back(catalog.delete_version(record, key, "null"));
                outcome.found = true;
            }
            return;
        }
        meta::ObjectVersion marker;
        marker.key = key;
        marker.seq = seq;
        marker.delete_marker = true;
        marker.modified_ms = now_ms();
        auto replaced = catalog.put_version(record, marker);
        removed.insert(removed.end(), replaced.begin(), replaced.end());
        outcome.found = true;
        outcome.delete_marker = true;
        outcome.version_id = record.versioning == meta::Versioning::enabled ? meta::format_version_id(seq) : "null";
    });
    co_await free_chunks(removed);
    co_return outcome;
}

std::unique_ptr<ObjectStore::Reader> ObjectStore::open(const meta::ObjectVersion& version) {
    return std::make_unique<Reader>(*this, version);
}

asio::awaitable<std::size_t> ObjectStore::Reader::read(std::uint64_t offset, std::span<char> out) {
    if (offset >= version_.size || out.empty()) co_return 0;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), version_.size - offset));
    if (version_.chunks.empty()) {
        std::memcpy(out.data(), version_.inline_data.data() + offset, want);
        co_return want;
    }
    // The chunk holding `offset` (chunks are in content order).
    const auto& chunks = version_.chunks;
    const auto it = std::upper_bound(chunks.begin(), chunks.end(), offset,
                                     [](std::uint64_t o, const meta::ChunkRef& c) { return o < c.offset; });
    const std::size_t index = static_cast<std::size_t>(it - chunks.begin()) - 1;
    const meta::ChunkRef& ref = chunks[index];
    const std::uint64_t in_chunk = offset - ref.offset;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, ref.length - in_chunk));
    co_await store_.pool_.run([&] {
        if (open_index_ != index) {
            open_reader_.reset();
            chunk::ChunkStore* store = store_.drive(ref.drive);
            const auto id = chunk::ChunkId::parse(ref.chunk_id);
            if (store == nullptr || !id) {
                throw StorageUnavailable("object " + version_.key + ": chunk " + ref.chunk_id +
                                         " is on drive " + std::to_string(ref.drive) + ", which this node does not have");
            }
            open_reader_.emplace(store->open(*id));
            open_index_ = index;
        }
        open_reader_->read(in_chunk, n, out.data());
        return 0;
    });
    co_return n;
}

}  // namespace shoal::engine
