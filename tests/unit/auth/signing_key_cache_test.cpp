#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "core/auth/signing_key_cache.hpp"

using namespace shoal::auth;

TEST_CASE("the signing key cache gives the derived key, per secret and scope", "[auth]") {
    SigningKeyCache cache(2);
    const CredentialScope day1{"20130524", "us-east-1", "s3"};
    const CredentialScope day2{"20130525", "us-east-1", "s3"};
    const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for (int i = 0; i < 3; ++i) {
        CHECK(cache.get(secret, day1) == derive_signing_key(secret, day1));
        CHECK(cache.get(secret, day2) == derive_signing_key(secret, day2));
    }
    // A changed secret never meets the key of the old one.
    CHECK(cache.get("another secret", day1) == derive_signing_key("another secret", day1));
    CHECK(cache.get("another secret", day1) != derive_signing_key(secret, day1));
    // Past capacity the least recently used goes, and comes back derived again.
    const CredentialScope eu{"20130524", "eu-west-1", "s3"};
    CHECK(cache.get(secret, eu) == derive_signing_key(secret, eu));
    CHECK(cache.get(secret, day1) == derive_signing_key(secret, day1));
}

TEST_CASE("the signing key cache is safe to share between threads", "[auth]") {
    SigningKeyCache cache(3);
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const CredentialScope scope{"2013052" + std::to_string(i % 5), "us-east-1", "s3"};
                if (cache.get("secret", scope) != derive_signing_key("secret", scope)) ++wrong[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(wrong == std::vector<int>(4, 0));
}
