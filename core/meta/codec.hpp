// A small binary codec for metadata records: unsigned LEB128 varints and
// length-prefixed byte strings. Decoding checks every bound and throws
// CorruptRecord; it never reads past the input.
//
// Decoding accepts only what Encoder writes: a varint in its shortest form
// and within its type, a boolean as one byte 0 or 1, and nothing after the
// last field (finish()). So a record that decodes re-encodes to the same
// bytes, and damage cannot hide in bytes the decoder would skip.
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
    // `what` names the record in errors ("object version").
    Decoder(std::string_view in, const char* what) : in_(in), what_(what) {}

    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (in_.empty()) corrupt("truncated");
            const auto byte = static_cast<unsigned char>(in_.front());
            in_.remove_prefix(1);
            // The tenth byte holds bit 63 only.
            if (shift == 63 && byte > 1) corrupt("a number beyond 64 bits");
            v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) {
                if (byte == 0 && shift > 0) corrupt("a number not in its shortest form");
                return v;
            }
        }
        corrupt("a number beyond 64 bits");
    }
    std::uint32_t u32() {
        const std::uint64_t v = u64();
        if (v > UINT32_MAX) corrupt("a number beyond 32 bits");
        return static_cast<std::uint32_t>(v);
    }
    bool boolean() {
        if (in_.empty()) corrupt("truncated");
        const char byte = in_.front();
        if (byte != '\x00' && byte != '\x01') corrupt("a boolean neither 0 nor 1");
        in_.remove_prefix(1);
        return byte == '\x01';
    }
    std::string_view bytes() {
        const std::uint64_t n = u64();
        if (n > in_.size()) corrupt("a string longer than the record");
        const std::string_view s = in_.substr(0, static_cast<std::size_t>(n));
        in_.remove_prefix(static_cast<std::size_t>(n));
        return s;
    }
    std::string string() { return std::string(bytes()); }
    // A string of at most `max` bytes; `field` names it in the error.
    std::string string(std::size_t max, const char* field) {
        const std::string_view s = bytes();
        if (s.size() > max) corrupt(std::string(field) + " longer than " + std::to_string(max) + " bytes");
        return std::string(s);
    }
    // The count of a list whose items take at least `min_item_bytes` each:
    // never more than the bytes left can hold (so no list is sized from a
    // damaged count).
    std::size_t count(std::size_t min_item_bytes, const char* field) {
        const std::uint64_t n = u64();
        if (n > in_.size() / min_item_bytes) corrupt(std::string("more ") + field + " than the record holds");
        return static_cast<std::size_t>(n);
    }
    // After the last field: anything left is damage.
    void finish() const {
        if (!in_.empty()) corrupt(std::to_string(in_.size()) + " bytes after the last field");
    }
    bool done() const { return in_.empty(); }

    [[noreturn]] void corrupt(const std::string& why) const {
        throw CorruptRecord("metadata store: damaged " + std::string(what_) + " record: " + why);
    }

private:
    std::string_view in_;
    const char* what_;
};

}  // namespace shoal::meta
