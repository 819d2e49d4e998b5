#include "core/chunk/chunk_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <variant>

#include "core/chunk/chunk_paths.hpp"
#include "core/chunk/file_io.hpp"
#include "core/hash/crc32c.hpp"

namespace shoal::chunk {

ChunkReader ChunkReader::open(const std::filesystem::path& drive, const ChunkId& id) {
    return open_file(drive, chunk_path(drive, id), id);
}

ChunkReader ChunkReader::open_file(const std::filesystem::path& drive, const std::filesystem::path& file,
                                   const ChunkId& expected) {
    auto error = [&](ChunkErrc code, std::string reason, std::string object = {}) {
        return ChunkError(code, drive, file, std::move(object), std::move(reason));
    };
    runtime::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) throw error(ChunkErrc::not_found, "no such chunk " + expected.to_string());
        throw error(ChunkErrc::io_error, "cannot open: " + detail::error_text(errno));
    }
    struct ::stat st;
    if (::fstat(fd.get(), &st) != 0) throw error(ChunkErrc::io_error, "cannot stat: " + detail::error_text(errno));
    if (!S_ISREG(st.st_mode)) throw error(ChunkErrc::corrupt, "not a regular file");
    const auto file_size = static_cast<std::uint64_t>(st.st_size);

    std::string prefix(static_cast<std::size_t>(std::min<std::uint64_t>(file_size, kMaxHeaderSize)), '\0');
    std::size_t got = 0;
    if (const int err = detail::pread_full(fd.get(), prefix.data(), prefix.size(), 0, got); err != 0) {
        throw error(ChunkErrc::io_error, "cannot read header: " + detail::error_text(err));
    }
    prefix.resize(got);
    auto decoded = decode_header(prefix);
    if (auto* why = std::get_if<std::string>(&decoded)) throw error(ChunkErrc::corrupt, "bad header: " + *why);
    DecodedHeader& d = std::get<DecodedHeader>(decoded);
    const std::string object = describe_object(d.header.owner);
    if (d.header.id != expected) {
        throw error(ChunkErrc::corrupt, "header belongs to chunk " + d.header.id.to_string() + ", not " +
                                            expected.to_string(), object);
    }
    const std::uint64_t want = chunk_file_size(d.header_size, d.header.data_length, d.header.block_size);
    if (file_size != want) {
        throw error(ChunkErrc::corrupt, "file is " + std::to_string(file_size) + " bytes but its header describes " +
                                            std::to_string(want) + " (truncated or extended)", object);
    }
    return ChunkReader(drive, file, std::move(fd), std::move(d.header), d.header_size);
}

void ChunkReader::fail(ChunkErrc code, const std::string& reason) const {
    throw ChunkError(code, drive_, file_, describe_object(header_.owner), reason);
}

std::uint8_t* ChunkReader::scratch() {
    if (!scratch_) scratch_ = std::make_unique_for_overwrite<std::uint8_t[]>(header_.block_size);
    return scratch_.get();
}

std::optional<std::uint32_t> ChunkReader::read_block(std::uint64_t index, std::uint8_t* dst, std::uint32_t length,
                                                     int flags) {
    std::uint8_t check_bytes[kBlockCheckSize];
    ::iovec iov[2] = {{dst, length}, {check_bytes, kBlockCheckSize}};
    const std::uint64_t at = block_file_offset(header_size_, header_.block_size, index);
    std::size_t got = 0;
    if (const int err = detail::preadv_full(fd_.get(), iov, 2, at, got, flags); err != 0) {
        // Not cached (EAGAIN), or no RWF_NOWAIT here (EOPNOTSUPP, ENOSYS,
        // EINVAL): the caller reads again without flags, and an error that
        // is real shows up then.
        if (flags != 0) return std::nullopt;
        fail(ChunkErrc::io_error, "cannot read block " + std::to_string(index) + ": " + detail::error_text(err));
    }
    if (got != std::size_t{length} + kBlockCheckSize) {
        fail(ChunkErrc::corrupt, "block " + std::to_string(index) + " cut short: file truncated");
    }
    std::uint32_t stored = 0;
    for (std::size_t i = 0; i < kBlockCheckSize; ++i) stored |= std::uint32_t{check_bytes[i]} << (8 * i);
    const std::uint32_t plain = hash::crc32c(dst, length);
    if (block_check(plain, index, header_.id) != stored) {
        const std::uint64_t first = index * header_.block_size;
        fail(ChunkErrc::corrupt, "checksum mismatch in block " + std::to_string(index) + " (data bytes " +
                                     std::to_string(first) + "-" + std::to_string(first + length - 1) + ")");
    }
    return plain;
}

void ChunkReader::read(std::uint64_t offset, std::size_t length, void* out) { read_range(offset, length, out, 0); }

bool ChunkReader::read_if_cached(std::uint64_t offset, std::size_t length, void* out) {
    return read_range(offset, length, out, RWF_NOWAIT);
}

bool ChunkReader::read_range(std::uint64_t offset, std::size_t length, void* out, int flags) {
    auto* const begin = static_cast<std::uint8_t*>(out);
    const std::uint64_t data_length = header_.data_length;
    if (offset > data_length || length > data_length - offset) {
        fail(ChunkErrc::invalid_argument, "range of " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                                              " beyond the chunk's " + std::to_string(data_length) + " bytes");
    }
    if (length == 0) return true;
    const std::uint32_t block_size = header_.block_size;
    const std::uint64_t end = offset + length;
    const std::uint64_t first = offset / block_size;
    const std::uint64_t last = (end - 1) / block_size;
    std::uint8_t* dst = begin;
    try {
        for (std::uint64_t index = first; index <= last; ++index) {
            const std::uint64_t block_start = index * block_size;
            const std::uint32_t block_len = block_length(data_length, block_size, index);
            const std::uint64_t from = std::max(offset, block_start) - block_start;
            const std::uint64_t to = std::min(end, block_start + block_len) - block_start;
            const auto n = static_cast<std::size_t>(to - from);
            const bool whole = from == 0 && to == block_len;  // then straight into out
            std::uint8_t* buf = whole ? dst : scratch();
            if (!read_block(index, buf, block_len, flags)) {
                std::memset(begin, 0, length);  // never leave unverified bytes behind
                return false;
            }
            if (!whole) std::memcpy(dst, buf + from, n);
            dst += n;
        }
    } catch (const ChunkError&) {
        std::memset(begin, 0, length);
        throw;
    }
    return true;
}

void ChunkReader::verify_all() {
    const std::uint32_t block_size = header_.block_size;
    const std::uint64_t blocks = block_count(header_.data_length, block_size);
    std::uint32_t crc = 0;
    for (std::uint64_t index = 0; index < blocks; ++index) {
        const std::uint32_t length = block_length(header_.data_length, block_size, index);
        crc = hash::crc32c_combine(crc, *read_block(index, scratch(), length), length);
    }
    if (crc != header_.data_crc32c) fail(ChunkErrc::corrupt, "data checksum does not match the header's");
    struct ::stat st;
    if (::fstat(fd_.get(), &st) != 0) fail(ChunkErrc::io_error, "cannot stat: " + detail::error_text(errno));
    if (static_cast<std::uint64_t>(st.st_size) != chunk_file_size(header_size_, header_.data_length, block_size)) {
        fail(ChunkErrc::corrupt, "file size changed to " + std::to_string(st.st_size) + " bytes");
    }
}

}  // namespace shoal::chunk
