#include "core/meta/capacity.hpp"

#include <algorithm>
#include <string>

namespace shoal::meta {
namespace {

std::string mib(std::uint64_t bytes) {
    const std::uint64_t tenths = bytes * 10 / (std::uint64_t{1} << 20);
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB";
}

}  // namespace

std::uint64_t reserved_bytes(std::uint64_t map_size) {
    return std::clamp<std::uint64_t>(map_size / 32, std::uint64_t{4} << 20, std::uint64_t{64} << 20);
}

std::uint64_t admission_limit_bytes(std::uint64_t map_size) {
    const std::uint64_t reserve = reserved_bytes(map_size);
    return map_size > reserve ? map_size - reserve : 0;
}

void check_room(const Txn& txn) { check_room(txn.usage(), 0); }

void check_room(const MapUsage& usage, std::uint64_t headroom) {
    const std::uint64_t map_bytes = usage.map_pages * usage.page_size;
    if (usage.used_pages * usage.page_size + headroom <= admission_limit_bytes(map_bytes)) return;
    throw MetaFull("metadata store full: " + mib(usage.used_pages * usage.page_size) + " of a " + mib(map_bytes) +
                   " map in use, " + mib(reserved_bytes(map_bytes)) +
                   " kept for deletes (delete objects, or raise storage.metadata_map_size)");
}

}  // namespace shoal::meta
