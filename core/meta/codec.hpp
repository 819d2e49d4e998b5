// A small binary codec for metadata records: unsigned LEB128 varints and
// length-prefixed byte strings. Decoding checks every bound and throws
// CorruptRecord; it never reads past the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/meta/lmdb.hpp"

namespace shoal::meta {

class Encoder {
public:
    void u64(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<char>(v));
    }
    void boolean(bool b) { out_.push_back(b ? '\x01' : '\x00'); }
    void bytes(std::string_view s) {
        u64(s.size());
        out_.append(s);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Decoder {
public:
    explicit Decoder(std::string_view in) : in_(in) {}

    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (in_.empty()) corrupt();
            const auto byte = static_cast<unsigned char>(in_.front());
            in_.remove_prefix(1);
            v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return v;
        }
        corrupt();
    }
    bool boolean() { return u64() != 0; }
    std::string_view bytes() {
        const std::uint64_t n = u64();
        if (n > in_.size()) corrupt();
        const std::string_view s = in_.substr(0, static_cast<std::size_t>(n));
        in_.remove_prefix(static_cast<std::size_t>(n));
        return s;
    }
    std::string string() { return std::string(bytes()); }
    bool done() const { return in_.empty(); }

private:
    [[noreturn]] static void corrupt() { throw CorruptRecord("metadata store: truncated or malformed record"); }
    std::string_view in_;
};

}  // namespace shoal::meta
