#include "core/engine/job_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/runtime/unique_fd.hpp"

namespace shoal::engine {
namespace {

std::string escape(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto b = static_cast<unsigned char>(c);
        if (b > 0x20 && b < 0x7f && b != '%') {
            out += c;
        } else {
            out += '%';
            out += kHex[b >> 4];
            out += kHex[b & 0xf];
        }
    }
    return out;
}

std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
            if (ec == std::errc() && end == text.data() + i + 3) {
                out += static_cast<char>(value);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what, int err) {
    throw std::runtime_error("job state " + file.string() + ": " + what + ": " + std::strerror(err));
}

}  // namespace

std::string JobState::get(const std::string& name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::string() : it->second;
}

std::uint64_t JobState::number(const std::string& name) const {
    const std::string text = get(name);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

void JobState::save(const std::filesystem::path& file) const {
    std::string text;
    for (const auto& [name, value] : values_) text += escape(name) + " " + escape(value) + "\n";
    const std::filesystem::path temp = file.string() + ".tmp";
    {
        runtime::UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd) fail(temp, "cannot create", errno);
        for (std::size_t done = 0; done < text.size();) {
            const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(temp, "cannot write", errno);
            done += static_cast<std::size_t>(n);
        }
        if (::fdatasync(fd.get()) != 0) fail(temp, "cannot sync", errno);
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) fail(file, "cannot rename into place", errno);
    runtime::UniqueFd dir(::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0) fail(file.parent_path(), "cannot sync the directory", errno);
}

std::optional<JobState> JobState::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::nullopt;
        fail(file, "cannot read", errno);
    }
    JobState state;
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t space = line.find(' ');
        if (space == std::string::npos) continue;
        state.values_[unescape(line.substr(0, space))] = unescape(line.substr(space + 1));
    }
    return state;
}

}  // namespace shoal::engine
