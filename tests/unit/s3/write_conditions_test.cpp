// The one check behind conditional PutObject, CompleteMultipartUpload and
// CopyObject: If-Match / If-None-Match against a key's current version, on
// arrival (412, 404) and at the commit (409, 404).
#include <catch2/catch.hpp>

#include "core/s3/error.hpp"
#include "core/s3/write_conditions.hpp"

using namespace shoal::s3;
using shoal::meta::ObjectVersion;
using Outcome = WriteConditions::Outcome;

namespace {

std::optional<ObjectVersion> object(std::string etag) {
    ObjectVersion v;
    v.key = "k";
    v.etag = std::move(etag);
    return v;
}

std::optional<ObjectVersion> delete_marker() {
    ObjectVersion v;
    v.key = "k";
    v.delete_marker = true;
    return v;
}

Outcome decide(const char* if_match, const char* if_none_match, const std::optional<ObjectVersion>& newest) {
    const std::string match = if_match ? if_match : "";
    const std::string none_match = if_none_match ? if_none_match : "";
    return WriteConditions(if_match ? &match : nullptr, if_none_match ? &none_match : nullptr).evaluate(newest);
}

// The S3 error code `f` throws, "" if none.
template <typename F>
std::string thrown(F f) {
    try {
        f();
    } catch (const S3Error& e) {
        return std::to_string(e.status()) + " " + e.code();
    }
    return "";
}

}  // namespace

TEST_CASE("If-Match holds only on a current version with a listed ETag", "[s3]") {
    const auto present = object("abc");
    CHECK(decide("\"abc\"", nullptr, present) == Outcome::holds);
    CHECK(decide("abc", nullptr, present) == Outcome::holds);  // quotes optional
    CHECK(decide("*", nullptr, present) == Outcome::holds);
    CHECK(decide("\"x\", \"abc\"", nullptr, present) == Outcome::holds);  // a list
    CHECK(decide("W/\"abc\"", nullptr, present) == Outcome::holds);
    CHECK(decide("\"abd\"", nullptr, present) == Outcome::failed);
    CHECK(decide("", nullptr, present) == Outcome::failed);
    CHECK(decide("\"abc\"", nullptr, std::nullopt) == Outcome::absent);
    CHECK(decide("*", nullptr, std::nullopt) == Outcome::absent);
    // A delete marker on top: the object is deleted, so absent.
    CHECK(decide("*", nullptr, delete_marker()) == Outcome::absent);
    CHECK(decide("\"abc\"", nullptr, delete_marker()) == Outcome::absent);
    // Multipart ETags compare whole.
    CHECK(decide("\"0123-2\"", nullptr, object("0123-2")) == Outcome::holds);
    CHECK(decide("\"0123\"", nullptr, object("0123-2")) == Outcome::failed);
}

TEST_CASE("If-None-Match holds unless a current version matches", "[s3]") {
    const auto present = object("abc");
    CHECK(decide(nullptr, "*", std::nullopt) == Outcome::holds);
    CHECK(decide(nullptr, "*", delete_marker()) == Outcome::holds);
    CHECK(decide(nullptr, "*", present) == Outcome::failed);
    CHECK(decide(nullptr, "\"abc\"", present) == Outcome::failed);
    CHECK(decide(nullptr, "\"x\",\"abc\"", present) == Outcome::failed);
    CHECK(decide(nullptr, "\"abd\"", present) == Outcome::holds);
    CHECK(decide(nullptr, "\"abc\"", std::nullopt) == Outcome::holds);
    CHECK(decide(nullptr, "\"abc\"", delete_marker()) == Outcome::holds);
    // Both: both must hold.
    CHECK(decide("\"abc\"", "\"x\"", present) == Outcome::holds);
    CHECK(decide("\"abc\"", "*", present) == Outcome::failed);
    CHECK(decide("*", "*", std::nullopt) == Outcome::absent);
    // No conditions: anything goes.
    CHECK(WriteConditions().empty());
    CHECK(WriteConditions().evaluate(present) == Outcome::holds);
    CHECK_FALSE(WriteConditions().at_commit("k"));
}

TEST_CASE("a condition failing on arrival is 412, at the commit a conflict", "[s3]") {
    const std::string star = "*";
    const std::string etag = "\"abc\"";
    const WriteConditions create_only(nullptr, &star);
    const WriteConditions replace_abc(&etag, nullptr);
    CHECK(thrown([&] { create_only.check_on_arrival(object("abc"), "k"); }) == "412 PreconditionFailed");
    CHECK(thrown([&] { create_only.check_at_commit(object("abc"), "k"); }) == "409 ConditionalRequestConflict");
    CHECK(thrown([&] { create_only.check_at_commit(std::nullopt, "k"); }).empty());
    CHECK(thrown([&] { replace_abc.check_on_arrival(object("abd"), "k"); }) == "412 PreconditionFailed");
    CHECK(thrown([&] { replace_abc.check_at_commit(object("abd"), "k"); }) == "409 ConditionalRequestConflict");
    // A key deleted meanwhile: 404 both times, as AWS answers it.
    CHECK(thrown([&] { replace_abc.check_on_arrival(std::nullopt, "k"); }) == "404 NoSuchKey");
    CHECK(thrown([&] { replace_abc.check_at_commit(delete_marker(), "k"); }) == "404 NoSuchKey");
    CHECK(thrown([&] { replace_abc.check_at_commit(object("abc"), "k"); }).empty());
    CHECK(create_only.at_commit("k"));
}
