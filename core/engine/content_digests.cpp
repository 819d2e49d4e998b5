#include "core/engine/content_digests.hpp"

#include <array>

#include "core/hash/encoding.hpp"

namespace shoal::engine {
namespace {

std::string base64_of_u32(std::uint32_t v) {
    const std::array<std::uint8_t, 4> bytes{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    return hash::base64_encode(bytes);
}

}  // namespace

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
    std::string upper(name);
    for (char& c : upper) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (upper == "CRC32") return ChecksumAlgorithm::crc32;
    if (upper == "CRC32C") return ChecksumAlgorithm::crc32c;
    if (upper == "SHA1") return ChecksumAlgorithm::sha1;
    if (upper == "SHA256") return ChecksumAlgorithm::sha256;
    return std::nullopt;
}

std::string_view checksum_name(ChecksumAlgorithm algorithm) {
    switch (algorithm) {
        case ChecksumAlgorithm::crc32: return "CRC32";
        case ChecksumAlgorithm::crc32c: return "CRC32C";
        case ChecksumAlgorithm::sha1: return "SHA1";
        case ChecksumAlgorithm::sha256: return "SHA256";
        case ChecksumAlgorithm::none: break;
    }
    return "";
}

std::string_view checksum_header(ChecksumAlgorithm algorithm) {
    switch (algorithm) {
        case ChecksumAlgorithm::crc32: return "x-amz-checksum-crc32";
        case ChecksumAlgorithm::crc32c: return "x-amz-checksum-crc32c";
        case ChecksumAlgorithm::sha1: return "x-amz-checksum-sha1";
        case ChecksumAlgorithm::sha256: return "x-amz-checksum-sha256";
        case ChecksumAlgorithm::none: break;
    }
    return "";
}

void ContentDigests::update(std::string_view data) {
    size_ += data.size();
    md5_.update(data);
    switch (algorithm_) {
        case ChecksumAlgorithm::crc32: crc32_.update(data); break;
        case ChecksumAlgorithm::crc32c: crc32c_.update(data); break;
        case ChecksumAlgorithm::sha1:
            if (!sha1_) sha1_.emplace();
            sha1_->update(data);
            break;
        case ChecksumAlgorithm::sha256:
            if (!sha256_) sha256_.emplace();
            sha256_->update(data);
            break;
        case ChecksumAlgorithm::none: break;
    }
}

ContentDigests::Result ContentDigests::finish() {
    Result result;
    const auto md5 = md5_.finish();
    result.md5.assign(reinterpret_cast<const char*>(md5.data()), md5.size());
    result.algorithm = algorithm_;
    result.size = size_;
    switch (algorithm_) {
        case ChecksumAlgorithm::crc32: result.checksum = base64_of_u32(crc32_.value()); break;
        case ChecksumAlgorithm::crc32c: result.checksum = base64_of_u32(crc32c_.value()); break;
        case ChecksumAlgorithm::sha1: {
            if (!sha1_) sha1_.emplace();
            const auto d = sha1_->finish();
            result.checksum = hash::base64_encode(d);
            break;
        }
        case ChecksumAlgorithm::sha256: {
            if (!sha256_) sha256_.emplace();
            const auto d = sha256_->finish();
            result.checksum = hash::base64_encode(d);
            break;
        }
        case ChecksumAlgorithm::none: break;
    }
    return result;
}

}  // namespace shoal::engine
