// `shoald admin key ...` (also `shoald key ...`): access keys and their grants
// on a running node, through /_shoal/keys (core/s3/key_admin_ops.cpp).
//
//   key create NAME [--create-buckets]   a new key; prints its secret, once
//   key list                             every key with its grants
//   key info ACCESS_KEY
//   key enable|disable|delete ACCESS_KEY
//   key create-buckets ACCESS_KEY on|off whether the key may create buckets
//   key allow ACCESS_KEY BUCKET PERMS    PERMS: read,write,owner (any of them) or all
//   key deny ACCESS_KEY BUCKET           removes the key's grant on BUCKET
#pragma once

#include <string>
#include <vector>

#include "firmware/admin_client.hpp"

namespace shoal::firmware {

// Throws AdminUsage for a bad command line (checked before anything is sent).
void check_key_command(const std::vector<std::string>& operands);

// `operands`: what follows "key". Prints the result; throws on failure.
void run_key_command(const AdminEndpoint& node, const std::vector<std::string>& operands, bool create_buckets,
                     bool xml);

std::string key_usage_text();

}  // namespace shoal::firmware
