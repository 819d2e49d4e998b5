#include "core/engine/job_state.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/runtime/durable_file.hpp"

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
    runtime::write_file_durably(file, text);
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
