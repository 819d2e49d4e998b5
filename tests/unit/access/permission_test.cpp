#include "core/access/permission.hpp"

#include <catch2/catch.hpp>

using namespace shoal::access;

TEST_CASE("permissions parse from and format to their names", "[access]") {
    CHECK(parse_permissions("read") == static_cast<Permissions>(Permission::read));
    CHECK(parse_permissions("read,write") == 3u);
    CHECK(parse_permissions("owner,read,write") == kAllPermissions);
    CHECK(parse_permissions("all") == kAllPermissions);
    CHECK(parse_permissions("") == kNoPermissions);
    CHECK(parse_permissions("none") == kNoPermissions);
    CHECK_FALSE(parse_permissions("read,").has_value());
    CHECK_FALSE(parse_permissions("Read").has_value());
    CHECK_FALSE(parse_permissions("read,fly").has_value());
    CHECK_FALSE(parse_permissions(",").has_value());
    CHECK(format_permissions(kAllPermissions) == "read,write,owner");
    CHECK(format_permissions(static_cast<Permissions>(Permission::owner)) == "owner");
    CHECK(format_permissions(kNoPermissions) == "none");
    for (Permissions p = 0; p <= kAllPermissions; ++p) CHECK(parse_permissions(format_permissions(p)) == p);
}
