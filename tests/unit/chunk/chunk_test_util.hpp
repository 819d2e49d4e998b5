// Helpers shared by the chunk store tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/chunk/chunk_store.hpp"

namespace shoal::testing {

inline std::string test_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng());
    return out;
}

inline chunk::ChunkOwner owner_for(std::uint32_t index) {
    return chunk::ChunkOwner{"bucket", "dir/key-" + std::to_string(index), "v1", 0, index, index * 1000ull};
}

// Writes `data` as chunk `id`, appending it in pieces of `piece` bytes.
inline chunk::ChunkInfo write_chunk(chunk::ChunkStore& store, const chunk::ChunkId& id, const std::string& data,
                                    const chunk::ChunkOwner& owner, std::uint32_t block_size = chunk::kDefaultBlockSize,
                                    std::size_t piece = std::string::npos) {
    chunk::ChunkWriter writer = store.create(id, owner, {}, block_size);
    for (std::size_t at = 0; at < data.size(); at += piece) {
        writer.append(std::string_view(data).substr(at, piece));
        if (piece == std::string::npos) break;
    }
    return writer.finish();
}

inline std::string read_range(chunk::ChunkReader& reader, std::uint64_t offset, std::size_t length) {
    std::string out(length, '\0');
    reader.read(offset, length, out.data());
    return out;
}

inline std::string file_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void flip_byte(const std::filesystem::path& file, std::uint64_t offset) {
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(offset));
    const char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x40));
}

// The ChunkError thrown by f(), or a test failure if it throws none.
template <typename F>
chunk::ChunkError error_from(F&& f) {
    try {
        f();
    } catch (const chunk::ChunkError& e) {
        return e;
    }
    FAIL("no ChunkError thrown");
    throw std::logic_error("unreachable");
}

}  // namespace shoal::testing
