// Small files that must survive a power cut whole or not at all (drive ids,
// credentials, job positions, the key-sealing key, the TLS pair): written to
// a temporary beside the target, synced, renamed over it, and the directory
// synced. And directories whose entries must survive one: a name in a
// directory is durable only once that directory is synced (POSIX promises
// no more, and docs/durability.md assumes no more of the file system).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::runtime {

// Replaces `file` with `content`, with permissions `mode`. After it returns,
// a crash leaves the new content; before, the old one (or none). Throws
// std::runtime_error naming the file and the system's reason.
void write_file_durably(const std::filesystem::path& file, std::string_view content, unsigned mode = 0600);

// Creates `dir` and its missing parents (like create_directories), and syncs
// the directory holding each one created: after it returns, `dir` survives a
// crash. An existing `dir` has its parent synced too, if that can be read (an
// earlier run may have crashed between making it and syncing). Throws
// std::runtime_error naming the directory.
void create_directories_durably(const std::filesystem::path& dir);

// Syncs directory `dir`: the names created, renamed or removed in it so far
// survive a crash. Throws std::runtime_error naming the directory.
void sync_directory(const std::filesystem::path& dir);

// The whole content of a small file; nullopt if it does not exist. Throws
// std::runtime_error for any other failure.
std::optional<std::string> read_small_file(const std::filesystem::path& file);

}  // namespace shoal::runtime
