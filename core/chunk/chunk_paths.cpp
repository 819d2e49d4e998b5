#include "core/chunk/chunk_paths.hpp"

namespace shoal::chunk {
namespace {

bool is_lower_hex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

constexpr std::size_t kPendingSuffixLength = 16;

}  // namespace

std::filesystem::path chunks_directory(const std::filesystem::path& drive) { return drive / kChunksDirectoryName; }

std::filesystem::path pending_directory(const std::filesystem::path& drive) {
    return chunks_directory(drive) / kPendingDirectoryName;
}

std::filesystem::path chunk_directory(const std::filesystem::path& drive, const ChunkId& id) {
    const std::string hex = id.to_string();
    return chunks_directory(drive) / hex.substr(0, 2) / hex.substr(2, 2);
}

std::filesystem::path chunk_path(const std::filesystem::path& drive, const ChunkId& id) {
    return chunk_directory(drive, id) / id.to_string();
}

std::string new_pending_name(const ChunkId& id) {
    return id.to_string() + "." + ChunkId::random().to_string().substr(0, kPendingSuffixLength);
}

std::optional<ChunkId> parse_pending_name(std::string_view name) {
    if (name.size() != ChunkId::kHexLength + 1 + kPendingSuffixLength) return std::nullopt;
    if (name[ChunkId::kHexLength] != '.' || !is_lower_hex(name.substr(ChunkId::kHexLength + 1))) return std::nullopt;
    return ChunkId::parse(name.substr(0, ChunkId::kHexLength));
}

bool is_fanout_name(std::string_view name) { return name.size() == 2 && is_lower_hex(name); }

}  // namespace shoal::chunk
