// Whether the caller may run an operation, decided after authentication and
// before any body byte is read (so a refused upload sends nothing to disk).
//
//   anonymous  GetObject and HeadObject of the current version of objects
//              in a bucket switched to public-read (no versionId); nothing
//              else
//   root       everything
//   other key  the grant its operation needs on the bucket (permission.hpp);
//              ListBuckets (filtered to its buckets); CreateBucket if the key
//              may create buckets; never the /_shoal/ administration
//
// Every refusal is AccessDenied, whether or not the bucket exists: a key
// learns nothing about buckets it holds no grant on.
//
// The bucket is resolved once, here: its id is kept in Call::access, reads
// use that bucket only, and every write checks again inside its commit
// transaction (commit_check) that the bucket bearing the name is still that
// one and that the key still holds its grant. A bucket deleted and re-created
// by someone else, or a key disabled, deleted or denied while its upload was
// in flight, commits nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/engine/object_store.hpp"
#include "core/s3/call.hpp"
#include "core/s3/operation.hpp"

namespace shoal::s3 {

// Throws AccessDenied; sets call.access.
void check_access(Call& call, Operation op);

// A copy's source: the caller must be a key holding read on the source
// bucket (root: any); anonymous requests are refused, whatever the caller
// checked before. Returns the source bucket's id (none: no such bucket),
// for locate_version.
std::optional<std::uint64_t> check_source_access(const Call& call, const std::string& source_bucket);

// What a write checks again inside its commit transaction: the bucket found
// under the addressed name is the one check_access resolved (else
// NoSuchBucket), and the caller's key is still enabled and holds the grant the
// operation needs on it (else AccessDenied). Then `then`, if any.
engine::CommitCheck commit_check(const Call& call, engine::CommitCheck then = {});

}  // namespace shoal::s3
