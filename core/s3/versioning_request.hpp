// The body of PutBucketVersioning (PUT /bucket?versioning):
//
//   <VersioningConfiguration><Status>Enabled|Suspended</Status>
//     [<MfaDelete>Disabled</MfaDelete>]</VersioningConfiguration>
#pragma once

#include <string_view>

#include "core/meta/records.hpp"

namespace shoal::s3 {

// enabled or suspended. Throws S3Error MalformedXML (not XML, no
// VersioningConfiguration root, another Status) or NotImplemented (MFA delete).
meta::Versioning parse_versioning_configuration(std::string_view body);

}  // namespace shoal::s3
