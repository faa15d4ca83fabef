// Which greenlight this is: the release version, the commit it was built from and the day it was built.
#pragma once

#include <string_view>

namespace greenlight {

// The release version, from `project(greenlight VERSION ...)` in CMakeLists.txt, e.g. "0.2.0".
std::string_view version();
// The commit's short hash, with "-dirty" when the tree had changes; "unknown" when built outside git.
std::string_view build_commit();
// The build day in UTC (YYYY-MM-DD); from SOURCE_DATE_EPOCH when it was set, so release builds are reproducible.
std::string_view build_date();

}  // namespace greenlight
