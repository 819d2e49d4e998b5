// A node's engine for unit tests, with real parts only: drive directories
// and a metadata store in a temporary directory, real ChunkStores, the
// Conscience over those directories, a BlockingPool, and an ObjectStore;
// coroutines run on an asio::io_context of the test's thread (run()).
//
//   EngineNode node(3);                                   // three drives
//   auto v = node.put("bucket", "key", body, "THREECOPIES");
//   CHECK(node.read(v) == body);
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <streambuf>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "core/chunk/chunk_store.hpp"
#include "core/engine/object_store.hpp"
#include "core/log/logger.hpp"
#include "core/meta/store.hpp"
#include "core/placement/conscience.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "temp_dir.hpp"

namespace shoal::testing {

// Runs a coroutine to its end on a fresh io_context; returns its result or
// rethrows its exception.
template <typename T>
T run(asio::awaitable<T> task) {
    asio::io_context io;
    std::exception_ptr error;
    std::optional<T> result;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result.emplace(std::move(value));
    });
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

inline void run(asio::awaitable<void> task) {
    asio::io_context io;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) { error = e; });
    io.run();
    if (error) std::rethrow_exception(error);
}

// Bytes for a source, handed out at most `step` at a time; throws after
// `fail_after` bytes if set (a client that goes away).
class StringSource : public engine::ByteSource {
public:
    explicit StringSource(std::string data, std::size_t step = SIZE_MAX,
                          std::optional<std::size_t> fail_after = std::nullopt)
        : data_(std::move(data)), step_(step), fail_after_(fail_after) {}

    asio::awaitable<std::size_t> read(std::span<char> out) override {
        if (fail_after_ && at_ >= *fail_after_) throw std::runtime_error("the client went away");
        std::size_t n = std::min({out.size(), step_, data_.size() - at_});
        if (fail_after_) n = std::min(n, *fail_after_ - at_);
        std::memcpy(out.data(), data_.data() + at_, n);
        at_ += n;
        co_return n;
    }

private:
    std::string data_;
    std::size_t step_;
    std::optional<std::size_t> fail_after_;
    std::size_t at_ = 0;
};

// What the engine logs, readable while the pool's threads write to it.
class LogCapture : public std::streambuf {
public:
    std::string text() const {
        std::lock_guard lock(mutex_);
        return text_;
    }
    bool has(std::string_view what) const { return text().find(what) != std::string::npos; }

protected:
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) {
            std::lock_guard lock(mutex_);
            text_.push_back(static_cast<char>(c));
        }
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::lock_guard lock(mutex_);
        text_.append(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    mutable std::mutex mutex_;
    std::string text_;
};

inline std::string bytes_of(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

class EngineNode {
public:
    static engine::EngineOptions small_chunks() {
        engine::EngineOptions options;
        options.chunk_size = 64 * 1024;
        options.segment_size = 16 * 1024;
        options.io_buffer = 32 * 1024;
        return options;
    }

    explicit EngineNode(std::size_t drives, engine::EngineOptions options = small_chunks())
        : stream_(&log_), logger_(stream_, log::Level::debug, log::Format::text), pool_(4), options_(options) {
        for (std::size_t i = 0; i < drives; ++i) {
            const std::filesystem::path path = dir_.path() / ("d" + std::to_string(i));
            std::filesystem::create_directories(path);
            paths_.push_back(path);
            ids_.push_back(0xd0000 + i);
        }
        open();
        meta_->write([](meta::Catalog& c) { c.create_bucket("bucket", 1); });
    }

    ~EngineNode() { close(); }

    // Stops the node, runs `while_down` (e.g. damaging records: the store
    // is closed), and starts it again on the same drives and metadata.
    void restart(const std::function<void()>& while_down = {}) {
        close();
        if (while_down) while_down();
        open();
    }
    std::filesystem::path meta_dir() const { return dir_.path() / "meta"; }

    engine::ObjectStore& store() { return *store_; }
    log::Logger& logger() { return logger_; }
    runtime::BlockingPool& pool() { return pool_; }
    meta::Store& meta() { return *meta_; }
    placement::Conscience& conscience() { return *conscience_; }
    const LogCapture& log() const { return log_; }
    const std::filesystem::path& root() const { return dir_.path(); }
    const std::filesystem::path& path(std::size_t i) const { return paths_[i]; }
    std::uint64_t id(std::size_t i) const { return ids_[i]; }
    std::size_t index_of(std::uint64_t drive) const {
        return static_cast<std::size_t>(std::find(ids_.begin(), ids_.end(), drive) - ids_.begin());
    }

    std::vector<engine::DamageReport> damage() {
        std::lock_guard lock(damage_mutex_);
        return damage_;
    }

    meta::ObjectVersion put(const std::string& key, const std::string& body, const std::string& storage_class = "STANDARD",
                            std::size_t step = SIZE_MAX) {
        engine::PutInput input;
        input.bucket = "bucket";
        input.key = key;
        input.storage_class = storage_class;
        StringSource source(body, step);
        return run(store_->put(std::move(input), source));
    }

    std::optional<meta::ObjectVersion> newest(const std::string& key) {
        const meta::Snapshot s = meta_->snapshot();
        return s.catalog().newest(s.catalog().bucket_or_refuse("bucket"), key);
    }

    // Bytes [offset, offset + length) of `version`, read as GET does, in
    // reads of at most `step` bytes.
    std::string read(const meta::ObjectVersion& version, std::uint64_t offset = 0,
                     std::optional<std::uint64_t> length = std::nullopt, std::size_t step = 40 * 1024) {
        const std::uint64_t end = length ? offset + *length : version.size;
        std::string out;
        auto lease = store_->lease_reads();
        auto reader = store_->open(version, "bucket");
        run([&]() -> asio::awaitable<void> {
            std::vector<char> buffer(step);
            for (std::uint64_t at = offset; at < end;) {
                const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(step, end - at));
                const std::size_t n = co_await reader->read(at, std::span<char>(buffer.data(), want));
                if (n == 0) throw std::runtime_error("the content ended early");
                out.append(buffer.data(), n);
                at += n;
            }
        }());
        reader.reset();
        return out;
    }

    // Every chunk file (pending ones left out) on drive `i`, or on all drives.
    std::vector<std::filesystem::path> chunk_files(std::optional<std::size_t> drive = std::nullopt) const {
        std::vector<std::filesystem::path> out;
        for (std::size_t i = 0; i < paths_.size(); ++i) {
            if (drive && *drive != i) continue;
            const auto chunks = paths_[i] / "chunks";
            for (const auto& entry : std::filesystem::recursive_directory_iterator(chunks)) {
                if (entry.is_regular_file() && entry.path().parent_path().filename() != "pending") {
                    out.push_back(entry.path());
                }
            }
        }
        return out;
    }
    std::size_t pending_files() const {
        std::size_t n = 0;
        for (const auto& p : paths_) {
            const auto pending = p / "chunks" / "pending";
            if (!std::filesystem::exists(pending)) continue;
            for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(pending)) ++n;
        }
        return n;
    }
    // The file of a chunk ref.
    std::filesystem::path file_of(const meta::ChunkRef& ref) const {
        return chunk::chunk_path(paths_[index_of(ref.drive)], *chunk::ChunkId::parse(ref.chunk_id));
    }

private:
    void open() {
        std::vector<engine::Drive> engine_drives;
        std::vector<placement::Conscience::DriveInfo> infos;
        for (std::size_t i = 0; i < paths_.size(); ++i) {
            engine_drives.push_back(engine::Drive{ids_[i], std::make_unique<chunk::ChunkStore>(paths_[i]), nullptr});
            infos.push_back({ids_[i], paths_[i]});
        }
        meta::StoreOptions meta_options;
        meta_options.map_size = std::uint64_t{256} << 20;
        meta_ = std::make_unique<meta::Store>(meta_dir(), meta_options);
        placement::ConscienceOptions conscience_options;
        conscience_options.min_free_bytes = 0;                            // whatever the test machine has
        conscience_options.diskstats = dir_.path() / "no-diskstats";      // no I/O load: scores by free space only
        conscience_ = std::make_unique<placement::Conscience>(std::move(infos), conscience_options);
        store_ = std::make_unique<engine::ObjectStore>(*meta_, std::move(engine_drives), *conscience_, pool_, options_,
                                                       logger_);
        store_->set_damage_handler([this](engine::DamageReport report) {
            std::lock_guard lock(damage_mutex_);
            damage_.push_back(std::move(report));
        });
    }
    void close() {
        store_.reset();  // before the metadata and conscience it uses
        conscience_.reset();
        meta_.reset();
    }

    TempDir dir_;
    LogCapture log_;
    std::ostream stream_;
    log::Logger logger_;
    std::vector<std::filesystem::path> paths_;
    std::vector<std::uint64_t> ids_;
    runtime::BlockingPool pool_;
    const engine::EngineOptions options_;
    std::unique_ptr<meta::Store> meta_;
    std::unique_ptr<placement::Conscience> conscience_;
    std::unique_ptr<engine::ObjectStore> store_;
    std::mutex damage_mutex_;
    std::vector<engine::DamageReport> damage_;
};

// The pieces of each chunk of a chunk list, by offset.
inline std::map<std::uint64_t, std::vector<meta::ChunkRef>> by_chunk(const std::vector<meta::ChunkRef>& refs) {
    std::map<std::uint64_t, std::vector<meta::ChunkRef>> out;
    for (const meta::ChunkRef& r : refs) out[r.offset].push_back(r);
    return out;
}

// Whether every chunk of the list has its pieces on different drives.
inline bool pieces_on_distinct_drives(const std::vector<meta::ChunkRef>& refs) {
    for (const auto& [offset, pieces] : by_chunk(refs)) {
        std::set<std::uint64_t> drives;
        for (const meta::ChunkRef& p : pieces) drives.insert(p.drive);
        if (drives.size() != pieces.size()) return false;
    }
    return true;
}

}  // namespace shoal::testing
