// What an access key may do with one bucket.
//
//   read   GET and HEAD objects; list objects, versions, uploads and parts;
//          read tags, the bucket's location and versioning state
//   write  PUT, copy into, delete objects; multipart uploads; change tags
//   owner  the bucket itself: its versioning state, DeleteBucket
//
// A copy needs read on its source bucket and write on its destination. The
// root key may do everything; the /_shoal/ administration is root's alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::access {

enum class Permission : std::uint32_t { read = 1, write = 2, owner = 4 };

// A set of Permission bits, as stored in a grant (meta::KeyGrant).
using Permissions = std::uint32_t;
constexpr Permissions kNoPermissions = 0;
constexpr Permissions kAllPermissions = 7;

constexpr bool includes(Permissions set, Permission p) { return (set & static_cast<Permissions>(p)) != 0; }

// "read", "read,write", "read,write,owner", "all"; "" or "none" is the empty
// set. Nullopt for anything else.
std::optional<Permissions> parse_permissions(std::string_view text);

// "read,write" (in that order), "none" for the empty set.
std::string format_permissions(Permissions set);

}  // namespace shoal::access
