#include "core/chunk/chunk_writer.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/chunk/chunk_store.hpp"
#include "core/chunk/file_io.hpp"
#include "core/hash/crc32c.hpp"

namespace shoal::chunk {

ChunkWriter::ChunkWriter(ChunkStore& store, ChunkHeader header, std::filesystem::path pending, runtime::UniqueFd fd)
    : store_(&store), header_(std::move(header)), pending_(std::move(pending)), fd_(std::move(fd)) {}

ChunkWriter::ChunkWriter(ChunkWriter&& other) noexcept
    : store_(other.store_),
      header_(std::move(other.header_)),
      pending_(std::move(other.pending_)),
      fd_(std::move(other.fd_)),
      block_(std::move(other.block_)),
      buffered_(std::exchange(other.buffered_, 0)),
      next_block_(std::exchange(other.next_block_, 0)),
      not_handed_(std::exchange(other.not_handed_, 0)),
      state_(std::exchange(other.state_, State::abandoned)) {}

ChunkWriter& ChunkWriter::operator=(ChunkWriter&& other) noexcept {
    if (this != &other) {
        abort();
        store_ = other.store_;
        header_ = std::move(other.header_);
        pending_ = std::move(other.pending_);
        fd_ = std::move(other.fd_);
        block_ = std::move(other.block_);
        buffered_ = std::exchange(other.buffered_, 0);
        next_block_ = std::exchange(other.next_block_, 0);
        not_handed_ = std::exchange(other.not_handed_, 0);
        state_ = std::exchange(other.state_, State::abandoned);
    }
    return *this;
}

ChunkWriter::~ChunkWriter() { abort(); }

void ChunkWriter::abort() noexcept {
    if (state_ == State::open || state_ == State::failed) {
        fd_.reset();
        ::unlink(pending_.c_str());  // ENOENT (already gone) is fine
        block_.reset();
        state_ = State::abandoned;
    }
}

void ChunkWriter::fail(ChunkErrc code, const std::string& reason, const std::filesystem::path& file) {
    if (state_ == State::open) state_ = State::failed;
    throw ChunkError(code, store_->drive(), file, describe_object(header_.owner), reason);
}

void ChunkWriter::write_block(const std::uint8_t* data, std::uint32_t length) {
    const std::uint32_t plain = hash::crc32c(data, length);
    const std::uint32_t check = block_check(plain, next_block_, header_.id);
    std::uint8_t check_bytes[kBlockCheckSize];
    for (std::size_t i = 0; i < kBlockCheckSize; ++i) check_bytes[i] = static_cast<std::uint8_t>(check >> (8 * i));
    ::iovec iov[2] = {{const_cast<std::uint8_t*>(data), length}, {check_bytes, kBlockCheckSize}};
    if (const int err = detail::writev_all(fd_.get(), iov, 2); err != 0) {
        fail(io_code(err), "cannot write block " + std::to_string(next_block_) + ": " + detail::error_text(err));
    }
    header_.data_crc32c = hash::crc32c_combine(header_.data_crc32c, plain, length);
    header_.data_length += length;
    ++next_block_;
    not_handed_ += length;
    if (not_handed_ >= kWritebackStep) {
        // Only a hint, whatever it returns (some file systems lack it):
        // fdatasync in finish() is what makes the data durable and reports errors.
        (void)::sync_file_range(fd_.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
        not_handed_ = 0;
    }
}

void ChunkWriter::append(const void* data, std::size_t size) {
    if (state_ != State::open) fail(ChunkErrc::invalid_argument, "append to a writer that is finished, aborted or failed");
    if (size > kMaxDataLength - this->size()) fail(ChunkErrc::invalid_argument, "chunk longer than the format allows");
    const auto* p = static_cast<const std::uint8_t*>(data);
    const std::uint32_t block_size = header_.block_size;
    if (buffered_ > 0) {
        const std::size_t take = std::min<std::size_t>(size, block_size - buffered_);
        std::memcpy(block_.get() + buffered_, p, take);
        buffered_ += static_cast<std::uint32_t>(take);
        p += take;
        size -= take;
        if (buffered_ < block_size) return;
        buffered_ = 0;
        write_block(block_.get(), block_size);
    }
    for (; size >= block_size; p += block_size, size -= block_size) write_block(p, block_size);
    if (size > 0) {
        if (!block_) block_ = std::make_unique_for_overwrite<std::uint8_t[]>(block_size);
        std::memcpy(block_.get(), p, size);
        buffered_ = static_cast<std::uint32_t>(size);
    }
}

ChunkInfo ChunkWriter::finish() {
    if (state_ != State::open) fail(ChunkErrc::invalid_argument, "finish of a writer that is finished, aborted or failed");
    if (buffered_ > 0) {
        const std::uint32_t length = std::exchange(buffered_, 0);
        write_block(block_.get(), length);
    }
    block_.reset();

    // The final header (same length as the provisional one written at creation).
    const std::string header = encode_header(header_);
    if (const int err = detail::pwrite_all(fd_.get(), header.data(), header.size(), 0); err != 0) {
        fail(io_code(err), "cannot write header: " + detail::error_text(err));
    }
    while (::fdatasync(fd_.get()) != 0) {
        if (errno != EINTR) fail(io_code(errno), "fdatasync failed: " + detail::error_text(errno));
    }
    fd_.reset();

    std::filesystem::path directory;
    try {
        directory = store_->prepare_chunk_directory(header_.id);
    } catch (const ChunkError&) {
        state_ = State::failed;
        throw;
    }
    std::filesystem::path final_path = directory / header_.id.to_string();
    if (const int err = detail::rename_noreplace(pending_, final_path); err != 0) {
        if (err == EEXIST) fail(ChunkErrc::already_exists, "a chunk with this id already exists", final_path);
        fail(ChunkErrc::io_error, "cannot rename " + pending_.string() + " into place: " + detail::error_text(err),
             final_path);
    }
    if (const int err = detail::fsync_directory(directory); err != 0) {
        // Not known durable: take it back rather than let metadata point to it.
        ::unlink(final_path.c_str());
        fail(ChunkErrc::io_error, "cannot fsync directory " + directory.string() + ": " + detail::error_text(err),
             final_path);
    }
    state_ = State::finished;
    return ChunkInfo{header_.id, header_.data_length, header_.data_crc32c, std::move(final_path)};
}

}  // namespace shoal::chunk
