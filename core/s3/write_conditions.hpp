// Conditional writes: If-Match and If-None-Match on PutObject,
// CompleteMultipartUpload and CopyObject (on its destination), one check for
// all three, evaluated against the key's current version: its newest version,
// unless that is a delete marker (a deleted object is absent, as on AWS).
//
//   If-Match: <etags> | *     the key has a current version whose ETag is
//                             listed (* : any); none: 404 NoSuchKey; else 412
//   If-None-Match: *          the key has no current version; else 412
//   If-None-Match: <etags>    no current version, or one whose ETag is not
//                             listed; else 412 (AWS takes * only; this is
//                             RFC 9110's meaning, as on GET)
//   both                      both must hold
//
// ETags compare the one way S3 compares them everywhere (etag_matches): a
// comma-separated list, quotes and W/ optional.
//
// A write evaluates its conditions twice. On arrival, from a snapshot: a
// failure is answered at once (412 PreconditionFailed, or 404 NoSuchKey),
// before any body byte is stored. Then inside the commit transaction
// (engine::CommitCheck), where nothing can change under it: conditions that
// held on arrival and no longer hold were broken by another write to the key
// committed meanwhile, which AWS answers 409 ConditionalRequestConflict (the
// client reads the key again and retries); a key deleted meanwhile fails an
// If-Match with 404 NoSuchKey, as on AWS.
#pragma once

#include <optional>
#include <string>

#include "core/engine/object_store.hpp"
#include "core/meta/records.hpp"

namespace shoal::s3 {

class WriteConditions {
public:
    enum class Outcome {
        holds,
        failed,  // 412 PreconditionFailed
        absent,  // If-Match on a key with no current version: 404 NoSuchKey
    };

    WriteConditions() = default;
    // From a request's If-Match and If-None-Match header values (null: absent).
    WriteConditions(const std::string* if_match, const std::string* if_none_match);

    bool empty() const { return !if_match_ && !if_none_match_; }

    // How the conditions decide for a key whose newest version is `newest`.
    Outcome evaluate(const std::optional<meta::ObjectVersion>& newest) const;

    // On arrival: throws PreconditionFailed (412) or NoSuchKey (404) for `key`.
    void check_on_arrival(const std::optional<meta::ObjectVersion>& newest, const std::string& key) const;
    // At the commit, after check_on_arrival passed: throws
    // ConditionalRequestConflict (409) or NoSuchKey (404).
    void check_at_commit(const std::optional<meta::ObjectVersion>& newest, const std::string& key) const;
    // check_at_commit on `key`'s newest version, as a commit check; empty
    // (checks nothing) when there are no conditions.
    engine::CommitCheck at_commit(std::string key) const;

private:
    std::optional<std::string> if_match_;
    std::optional<std::string> if_none_match_;
};

}  // namespace shoal::s3
