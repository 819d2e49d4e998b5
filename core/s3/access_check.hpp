// Whether the caller may run an operation, decided after authentication and
// before any body byte is read (so a refused upload sends nothing to disk).
//
//   anonymous  GetObject and HeadObject in a bucket switched to public-read;
//              nothing else
//   root       everything
//   other key  the grant its operation needs on the bucket (permission.hpp);
//              ListBuckets (filtered to its buckets); CreateBucket if the key
//              may create buckets; never the /_shoal/ administration
//
// Every refusal is AccessDenied, whether or not the bucket exists: a key
// learns nothing about buckets it holds no grant on.
#pragma once

#include <string>

#include "core/s3/call.hpp"
#include "core/s3/operation.hpp"

namespace shoal::s3 {

void check_access(const Call& call, Operation op);

// A copy's source: the caller must hold read on the source bucket too.
void check_source_access(const Call& call, const std::string& source_bucket);

}  // namespace shoal::s3
