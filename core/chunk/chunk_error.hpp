// The one error type of core/chunk: every failure to create, write, read,
// verify, scan or remove a chunk throws a ChunkError.
//
// Its message always names the chunk file and the drive, and the owning object
// when the chunk's header could be read ("errors name the place": an operator
// of an edge box has nobody else to ask). code() lets the engine tell a missing
// chunk from a damaged one (repair) from an I/O failure (drive health).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shoal::chunk {

enum class ChunkErrc {
    not_found,         // no chunk file with that id
    already_exists,    // finish() would replace an existing chunk
    corrupt,           // bad magic/header/checksum, wrong size, misplaced file
    io_error,          // a system call failed (EIO, EACCES, ...)
    no_space,          // the drive is full (ENOSPC, EDQUOT): it may take writes again once freed
    invalid_argument,  // a caller's mistake: range beyond the data, field too long, ...
};

std::string_view to_string(ChunkErrc code);

// The code for a failed system call's errno: no_space for ENOSPC and EDQUOT,
// io_error for the rest.
ChunkErrc io_code(int err);

class ChunkError : public std::runtime_error {
public:
    // `object` describes the owner (describe_object()), empty when unknown;
    // `reason` is the specific failure, with strerror() text for I/O errors.
    ChunkError(ChunkErrc code, std::filesystem::path drive, std::filesystem::path file, std::string object,
               std::string reason);

    ChunkErrc code() const { return code_; }
    const std::filesystem::path& drive() const { return drive_; }
    const std::filesystem::path& file() const { return file_; }
    const std::string& object() const { return object_; }
    const std::string& reason() const { return reason_; }

private:
    ChunkErrc code_;
    std::filesystem::path drive_;
    std::filesystem::path file_;
    std::string object_;
    std::string reason_;
};

}  // namespace shoal::chunk
