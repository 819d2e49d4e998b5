// The optional body of CreateBucket (PUT /bucket):
//
//   <CreateBucketConfiguration><LocationConstraint>region</LocationConstraint>
//   </CreateBucketConfiguration>
#pragma once

#include <string>
#include <string_view>

namespace shoal::s3 {

// The LocationConstraint asked for; empty for an empty body or none given.
// Throws S3Error MalformedXML for a body that is not XML.
std::string parse_create_bucket_location(std::string_view body);

}  // namespace shoal::s3
