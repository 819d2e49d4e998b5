#include "core/access/secret_box.hpp"

#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using shoal::access::SecretBox;

TEST_CASE("a sealed secret opens only with its key and its access key id", "[access]") {
    SecretBox::Key key{};
    key[0] = 1;
    const SecretBox box(key);
    const std::string sealed = box.seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SKAAAA");
    CHECK(sealed.size() == 12 + 40 + 16);
    CHECK(sealed.find("wJalrXUtnFEMI") == std::string::npos);
    CHECK(box.open(sealed, "SKAAAA") == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    CHECK_FALSE(box.open(sealed, "SKAAAB").has_value());  // moved to another key's record
    std::string changed = sealed;
    changed[20] ^= 1;
    CHECK_FALSE(box.open(changed, "SKAAAA").has_value());
    CHECK_FALSE(box.open(sealed.substr(0, 20), "SKAAAA").has_value());
    key[0] = 2;
    CHECK_FALSE(SecretBox(key).open(sealed, "SKAAAA").has_value());
    // A fresh nonce every time: the same secret never seals the same way twice.
    CHECK(box.seal("same", "SKAAAA") != box.seal("same", "SKAAAA"));
}

TEST_CASE("the sealing key file is created once, private, and then reused", "[access]") {
    shoal::testing::TempDir dir;
    const auto file = dir.path() / "keys.seal";
    const std::string sealed = SecretBox::load_or_create(file).seal("secret-text", "SKID");
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_size == 32);
    CHECK(SecretBox::load_or_create(file).open(sealed, "SKID") == "secret-text");
    std::ofstream(file, std::ios::trunc) << "short";
    CHECK_THROWS_WITH(SecretBox::load_or_create(file), Catch::Contains("damaged"));
}
