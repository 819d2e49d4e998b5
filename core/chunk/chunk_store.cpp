#include "core/chunk/chunk_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "core/chunk/file_io.hpp"

namespace shoal::chunk {
namespace {

constexpr std::size_t kFanout = 256;

// The names in `dir`, sorted (one directory's worth: the fan-out keeps it small).
std::vector<std::string> list_directory(const std::filesystem::path& dir, std::error_code& ec) {
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

int hex_digit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }
std::size_t fanout_value(std::string_view name) {
    return static_cast<std::size_t>(hex_digit(name[0]) * 16 + hex_digit(name[1]));
}

}  // namespace

ChunkStore::ChunkStore(std::filesystem::path drive)
    : drive_(std::move(drive)),
      chunks_(chunks_directory(drive_)),
      pending_(pending_directory(drive_)),
      durable_(kFanout + kFanout * kFanout, false) {
    auto make = [&](const std::filesystem::path& dir, const std::filesystem::path& parent) {
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
            throw ChunkError(io_code(errno), drive_, dir, {}, "cannot create directory: " + detail::error_text(errno));
        }
        if (const int err = detail::fsync_directory(parent); err != 0) {
            throw ChunkError(ChunkErrc::io_error, drive_, parent, {}, "cannot fsync directory: " + detail::error_text(err));
        }
    };
    make(chunks_, drive_);
    make(pending_, chunks_);
}

void ChunkStore::ensure_durable_directory(const std::filesystem::path& dir, const std::filesystem::path& parent,
                                          std::size_t slot) {
    {
        std::lock_guard lock(mutex_);
        if (durable_[slot]) return;
    }
    // Whether this call creates it or finds it (made by another thread, or by
    // an earlier run that may have crashed before syncing), its entry in the
    // parent is only known durable after an fsync of the parent.
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        throw ChunkError(io_code(errno), drive_, dir, {}, "cannot create directory: " + detail::error_text(errno));
    }
    if (const int err = detail::fsync_directory(parent); err != 0) {
        throw ChunkError(ChunkErrc::io_error, drive_, parent, {}, "cannot fsync directory: " + detail::error_text(err));
    }
    std::lock_guard lock(mutex_);
    durable_[slot] = true;
}

std::filesystem::path ChunkStore::prepare_chunk_directory(const ChunkId& id) {
    const std::size_t a = id.bytes()[0];
    const std::size_t b = id.bytes()[1];
    const std::filesystem::path leaf = chunk_directory(drive_, id);
    const std::filesystem::path middle = leaf.parent_path();
    ensure_durable_directory(middle, chunks_, a);
    ensure_durable_directory(leaf, middle, kFanout + a * kFanout + b);
    return leaf;
}

ChunkWriter ChunkStore::create(const ChunkId& id, const ChunkOwner& owner, const ChunkCodec& codec,
                               std::uint32_t block_size) {
    ChunkHeader header;
    header.id = id;
    header.block_size = block_size;
    header.owner = owner;
    header.codec = codec;
    const std::filesystem::path pending = pending_ / new_pending_name(id);
    if (std::string why = validate_header(header); !why.empty()) {
        throw ChunkError(ChunkErrc::invalid_argument, drive_, pending, describe_object(owner), why);
    }
    runtime::UniqueFd fd(::open(pending.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        throw ChunkError(io_code(errno), drive_, pending, describe_object(owner),
                         "cannot create pending chunk file: " + detail::error_text(errno));
    }
    // The writer owns the file from here: if the header write fails, its
    // destructor removes the file.
    ChunkWriter writer(*this, std::move(header), pending, std::move(fd));
    // A provisional header (data length and CRC 0), so that even a pending
    // file says whose it is; finish() rewrites it in place.
    std::string provisional = encode_header(writer.header_);
    ::iovec iov{provisional.data(), provisional.size()};
    if (const int err = detail::writev_all(writer.fd_.get(), &iov, 1); err != 0) {
        writer.fail(io_code(err), "cannot write header: " + detail::error_text(err));
    }
    return writer;
}

bool ChunkStore::remove(const ChunkId& id) {
    const std::filesystem::path file = path_of(id);
    if (::unlink(file.c_str()) != 0) {
        if (errno == ENOENT) return false;
        throw ChunkError(ChunkErrc::io_error, drive_, file, {}, "cannot remove: " + detail::error_text(errno));
    }
    if (const int err = detail::fsync_directory(file.parent_path()); err != 0) {
        throw ChunkError(ChunkErrc::io_error, drive_, file, {},
                         "removed, but cannot fsync its directory: " + detail::error_text(err));
    }
    return true;
}

ScanStats ChunkStore::scan(const std::function<void(const ScannedChunk&)>& on_chunk,
                           const std::function<void(const ChunkError&)>& on_error, ScanOptions options) const {
    ScanStats stats;
    auto report = [&](const ChunkError& e) {
        ++stats.errors;
        if (on_error) on_error(e);
    };
    auto list = [&](const std::filesystem::path& dir) {
        std::error_code ec;
        std::vector<std::string> names = list_directory(dir, ec);
        if (ec) {
            report(ChunkError(ChunkErrc::io_error, drive_, dir, {}, "cannot list directory: " + ec.message()));
            names.clear();
        }
        return names;
    };

    for (const std::string& top : list(chunks_)) {
        if (top == kPendingDirectoryName) continue;
        const std::filesystem::path middle = chunks_ / top;
        std::error_code ec;
        if (!is_fanout_name(top) || !std::filesystem::is_directory(middle, ec)) {
            report(ChunkError(ChunkErrc::corrupt, drive_, middle, {}, "unexpected entry in the chunk tree"));
            continue;
        }
        for (const std::string& second : list(middle)) {
            const std::filesystem::path leaf = middle / second;
            if (!is_fanout_name(second) || !std::filesystem::is_directory(leaf, ec)) {
                report(ChunkError(ChunkErrc::corrupt, drive_, leaf, {}, "unexpected entry in the chunk tree"));
                continue;
            }
            for (const std::string& name : list(leaf)) {
                const std::filesystem::path file = leaf / name;
                const std::optional<ChunkId> id = ChunkId::parse(name);
                if (!id) {
                    report(ChunkError(ChunkErrc::corrupt, drive_, file, {}, "unexpected entry in the chunk tree"));
                    continue;
                }
                if (fanout_value(top) != id->bytes()[0] || fanout_value(second) != id->bytes()[1]) {
                    report(ChunkError(ChunkErrc::corrupt, drive_, file, {}, "chunk file in the wrong directory"));
                    continue;
                }
                std::optional<ScannedChunk> found;
                try {
                    ChunkReader reader = ChunkReader::open_file(drive_, file, *id);
                    if (options.verify_data) reader.verify_all();
                    found = ScannedChunk{file, reader.header()};
                } catch (const ChunkError& e) {
                    report(e);
                    continue;
                }
                ++stats.chunks;
                stats.data_bytes += found->header.data_length;
                on_chunk(*found);  // outside the try: the callback's own exceptions propagate
            }
        }
    }
    return stats;
}

std::size_t ChunkStore::collect_pending(std::chrono::seconds older_than) {
    std::error_code ec;
    const std::vector<std::string> names = list_directory(pending_, ec);
    if (ec) throw ChunkError(ChunkErrc::io_error, drive_, pending_, {}, "cannot list directory: " + ec.message());
    ::timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    std::size_t removed = 0;
    for (const std::string& name : names) {
        if (!parse_pending_name(name)) continue;  // not ours: leave it for a human
        const std::filesystem::path file = pending_ / name;
        struct ::stat st;
        if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const std::int64_t age = static_cast<std::int64_t>(now.tv_sec) - static_cast<std::int64_t>(st.st_mtim.tv_sec);
        if (age < older_than.count()) continue;
        if (::unlink(file.c_str()) == 0) {
            ++removed;
        } else if (errno != ENOENT) {
            throw ChunkError(ChunkErrc::io_error, drive_, file, {}, "cannot remove pending file: " + detail::error_text(errno));
        }
    }
    return removed;
}

}  // namespace shoal::chunk
