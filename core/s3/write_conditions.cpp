#include "core/s3/write_conditions.hpp"

#include "core/s3/conditions.hpp"
#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

S3Error precondition_failed() {
    return S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
}

S3Error conflict() {
    return S3Error(409, "ConditionalRequestConflict",
                   "A conflicting operation occurred: the object was written while this request was in progress, "
                   "and your pre-conditions no longer hold. Read it again and retry.");
}

}  // namespace

WriteConditions::WriteConditions(const std::string* if_match, const std::string* if_none_match) {
    if (if_match != nullptr) if_match_ = *if_match;
    if (if_none_match != nullptr) if_none_match_ = *if_none_match;
}

WriteConditions::Outcome WriteConditions::evaluate(const std::optional<meta::ObjectVersion>& newest) const {
    const meta::ObjectVersion* current = newest && !newest->delete_marker ? &*newest : nullptr;
    if (if_match_) {
        if (current == nullptr) return Outcome::absent;
        if (!etag_matches(*if_match_, current->etag)) return Outcome::failed;
    }
    if (if_none_match_ && current != nullptr && etag_matches(*if_none_match_, current->etag)) return Outcome::failed;
    return Outcome::holds;
}

void WriteConditions::check_on_arrival(const std::optional<meta::ObjectVersion>& newest, const std::string& key) const {
    switch (evaluate(newest)) {
        case Outcome::holds: return;
        case Outcome::failed: throw precondition_failed();
        case Outcome::absent: throw no_such_key(key);
    }
}

void WriteConditions::check_at_commit(const std::optional<meta::ObjectVersion>& newest, const std::string& key) const {
    switch (evaluate(newest)) {
        case Outcome::holds: return;
        case Outcome::failed: throw conflict();
        case Outcome::absent: throw no_such_key(key);
    }
}

engine::CommitCheck WriteConditions::at_commit(std::string key) const {
    if (empty()) return {};
    return [conditions = *this, key = std::move(key)](const meta::Catalog& catalog, const meta::BucketRecord& bucket) {
        conditions.check_at_commit(catalog.newest(bucket, key), key);
    };
}

}  // namespace shoal::s3
