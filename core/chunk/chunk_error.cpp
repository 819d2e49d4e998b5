#include "core/chunk/chunk_error.hpp"

#include <cerrno>

#include <utility>

namespace shoal::chunk {
namespace {

std::string message(ChunkErrc code, const std::filesystem::path& drive, const std::filesystem::path& file,
                    const std::string& object, const std::string& reason) {
    std::string text = "chunk file " + file.string() + ": " + reason + " [" + std::string(to_string(code)) +
                       "; drive " + drive.string();
    if (!object.empty()) text += "; object " + object;
    text += "]";
    return text;
}

}  // namespace

std::string_view to_string(ChunkErrc code) {
    switch (code) {
        case ChunkErrc::not_found: return "not found";
        case ChunkErrc::already_exists: return "already exists";
        case ChunkErrc::corrupt: return "corrupt";
        case ChunkErrc::io_error: return "I/O error";
        case ChunkErrc::no_space: return "no space";
        case ChunkErrc::invalid_argument: return "invalid argument";
    }
    return "unknown";
}

ChunkErrc io_code(int err) { return err == ENOSPC || err == EDQUOT ? ChunkErrc::no_space : ChunkErrc::io_error; }

ChunkError::ChunkError(ChunkErrc code, std::filesystem::path drive, std::filesystem::path file, std::string object,
                       std::string reason)
    : std::runtime_error(message(code, drive, file, object, reason)),
      code_(code),
      drive_(std::move(drive)),
      file_(std::move(file)),
      object_(std::move(object)),
      reason_(std::move(reason)) {}

}  // namespace shoal::chunk
