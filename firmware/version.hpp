// `shoald version`: what this binary is, for bug reports and fleet inventories.
#pragma once

#include <string>

namespace shoal::firmware {

std::string version_text();

}  // namespace shoal::firmware
