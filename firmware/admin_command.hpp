// `shoald admin ...`: the node's administration endpoints from the command
// line, signed with the root credentials like any S3 request.
//
//   shoald admin drives [--xml]          drive scores, scrub, rebuilds (GET /_shoal/drives)
//   shoald admin rebuild DRIVE_ID        declare a detached drive lost and rebuild its pieces
//   shoald admin attach DIR              attach a directory (a new disk) as a drive, at once
//   shoald admin bucket-policy BUCKET [POLICY|default]   show or set a bucket's storage policy
//
// Options: --endpoint URL (default http://127.0.0.1:9000), --region NAME
// (default us-east-1), --data DIR (where the stored root credentials are,
// when SHOAL_ROOT_USER/SHOAL_ROOT_PASSWORD are not set; default shoal-data).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace shoal::firmware {

// `args`: what follows "admin". Returns the exit status: 0 done, 1 the node
// refused or could not be reached (the reason on stderr), 2 a usage error.
int run_admin(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment);

std::string admin_usage_text();

}  // namespace shoal::firmware
