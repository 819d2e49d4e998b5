#include "core/access/permission.hpp"

namespace shoal::access {
namespace {

constexpr struct {
    Permission permission;
    std::string_view name;
} kNames[] = {{Permission::read, "read"}, {Permission::write, "write"}, {Permission::owner, "owner"}};

}  // namespace

std::optional<Permissions> parse_permissions(std::string_view text) {
    if (text.empty() || text == "none") return kNoPermissions;
    if (text == "all") return kAllPermissions;
    Permissions set = kNoPermissions;
    while (true) {
        const std::size_t comma = text.find(',');
        const std::string_view word = text.substr(0, comma);
        bool known = false;
        for (const auto& n : kNames) {
            if (word == n.name) {
                set |= static_cast<Permissions>(n.permission);
                known = true;
            }
        }
        if (!known) return std::nullopt;
        if (comma == std::string_view::npos) return set;
        text.remove_prefix(comma + 1);
    }
}

std::string format_permissions(Permissions set) {
    std::string out;
    for (const auto& n : kNames) {
        if (!includes(set, n.permission)) continue;
        if (!out.empty()) out += ',';
        out += n.name;
    }
    return out.empty() ? "none" : out;
}

}  // namespace shoal::access
