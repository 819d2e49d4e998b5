// Where chunks live on a drive (the drive directory, see
// core/storage/drive_directory.hpp):
//
//   <drive>/chunks/<id[0:2]>/<id[2:4]>/<id>      a finished chunk
//   <drive>/chunks/pending/<id>.<16 hex>          a chunk being written
//
// Two levels of 256 hashed sub-directories keep every directory small (a
// 4 TB drive of 4 MiB chunks holds ~1 M chunks: ~16 per leaf directory).
// Ids are random or hashes, so chunks spread evenly. Pending names carry a
// random suffix so two writers of the same id never share a file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/chunk/chunk_id.hpp"

namespace shoal::chunk {

inline constexpr std::string_view kChunksDirectoryName = "chunks";
inline constexpr std::string_view kPendingDirectoryName = "pending";

std::filesystem::path chunks_directory(const std::filesystem::path& drive);
std::filesystem::path pending_directory(const std::filesystem::path& drive);

// <drive>/chunks/<id[0:2]>/<id[2:4]>: the leaf directory holding the chunk.
std::filesystem::path chunk_directory(const std::filesystem::path& drive, const ChunkId& id);
std::filesystem::path chunk_path(const std::filesystem::path& drive, const ChunkId& id);

// A fresh pending file name "<id>.<16 random hex>".
std::string new_pending_name(const ChunkId& id);

// The chunk id of a pending file name, or nullopt if the name is not one.
std::optional<ChunkId> parse_pending_name(std::string_view name);

// True for the names of the hashed directories: two lowercase hex digits.
bool is_fanout_name(std::string_view name);

}  // namespace shoal::chunk
