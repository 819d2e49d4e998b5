// Storage policy names: what parses, what each policy means, and that the
// canonical name an object records parses back to the same policy.
#include <catch2/catch.hpp>

#include <string>

#include "core/ec/storage_policy.hpp"

using namespace shoal::ec;

TEST_CASE("the named policies parse to what they say", "[ec]") {
    const auto single = StoragePolicy::parse("SINGLE");
    REQUIRE(single);
    CHECK(single->kind == StoragePolicy::Kind::copies);
    CHECK(single->pieces() == 1);
    CHECK(single->tolerated() == 0);
    CHECK(single->write_quorum() == 1);

    const auto two = StoragePolicy::parse("TWOCOPIES");
    REQUIRE(two);
    CHECK(two->pieces() == 2);
    CHECK(two->tolerated() == 1);
    CHECK(two->write_quorum() == 2);  // a majority of two is both

    const auto three = StoragePolicy::parse("threecopies");
    REQUIRE(three);
    CHECK(three->pieces() == 3);
    CHECK(three->write_quorum() == 2);

    const auto five = StoragePolicy::parse("COPIES5");
    REQUIRE(five);
    CHECK(five->write_quorum() == 3);

    const auto ec42 = StoragePolicy::parse("EC4+2");
    REQUIRE(ec42);
    CHECK(ec42->kind == StoragePolicy::Kind::erasure);
    CHECK(ec42->k == 4);
    CHECK(ec42->m == 2);
    CHECK(ec42->algorithm == RsAlgorithm::vandermonde);
    CHECK(ec42->pieces() == 6);
    CHECK(ec42->tolerated() == 2);
    CHECK(ec42->write_quorum() == 5);  // k + 1
    CHECK(ec42->distance == LocationLevel::drive);

    const auto cauchy = StoragePolicy::parse("ec8+4/CAUCHY@site");
    REQUIRE(cauchy);
    CHECK(cauchy->k == 8);
    CHECK(cauchy->m == 4);
    CHECK(cauchy->algorithm == RsAlgorithm::cauchy);
    CHECK(cauchy->distance == LocationLevel::site);
}

TEST_CASE("names that are not policies are refused", "[ec]") {
    for (const char* name : {"", "single ", "COPIES", "COPIES0", "COPIES9", "COPIES01", "EC", "EC4", "EC4+", "EC+2",
                             "EC0+2", "EC4+0", "EC30+3", "EC4+2/reed", "EC4+2@planet", "EC4+2@", "TWOCOPIES@",
                             "EC-4+2", "EC4+2+1", "GLACIER", "STANDARD"}) {
        CAPTURE(name);
        CHECK_FALSE(StoragePolicy::parse(name));
    }
}

TEST_CASE("the canonical name parses back to the same policy", "[ec]") {
    for (const char* name : {"SINGLE", "TWOCOPIES", "THREECOPIES", "COPIES4", "COPIES8", "EC2+1", "EC4+2", "EC6+3",
                             "EC8+4", "EC16+16", "EC4+2/cauchy", "TWOCOPIES@node", "EC4+2@rack", "SINGLE@site"}) {
        CAPTURE(name);
        const auto policy = StoragePolicy::parse(name);
        REQUIRE(policy);
        CHECK(policy->to_string() == name);
        CHECK(StoragePolicy::parse(policy->to_string()) == policy);
    }
    // Other spellings of the same policy record its canonical name.
    CHECK(StoragePolicy::parse("copies1")->to_string() == "SINGLE");
    CHECK(StoragePolicy::parse("COPIES3@drive")->to_string() == "THREECOPIES");
    CHECK(StoragePolicy::parse("ec4+2/cauchy@Node")->to_string() == "EC4+2/cauchy@node");
}

TEST_CASE("a policy fits a node only with a drive per piece", "[ec]") {
    CHECK(fits(*StoragePolicy::parse("EC4+2"), 6));
    CHECK_FALSE(fits(*StoragePolicy::parse("EC4+2"), 5));
    CHECK(fits(*StoragePolicy::parse("THREECOPIES"), 3));
    CHECK_FALSE(fits(*StoragePolicy::parse("TWOCOPIES"), 1));
}
