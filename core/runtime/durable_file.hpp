// Small files that must survive a power cut whole or not at all (drive ids,
// credentials, job positions, the key-sealing key): written to a temporary
// beside the target, synced, renamed over it, and the directory synced.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::runtime {

// Replaces `file` with `content`, created with `mode`. After it returns, a
// crash leaves the new content; before, the old one (or none). Throws
// std::runtime_error naming the file and the system's reason.
void write_file_durably(const std::filesystem::path& file, std::string_view content, unsigned mode = 0600);

// The whole content of a small file; nullopt if it does not exist. Throws
// std::runtime_error for any other failure.
std::optional<std::string> read_small_file(const std::filesystem::path& file);

}  // namespace shoal::runtime
