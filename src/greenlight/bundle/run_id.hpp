// The run id: the key of a run and the name of its bundle folder (<artifacts>/<project>/<run-id>/).
#pragma once

#include <string_view>

namespace greenlight::bundle {

// A run id names folders and URL path segments: 1 to 128 letters, digits, '.', '_' and '-', starting with a
// letter or digit, without "..".
bool valid_run_id(std::string_view run_id);

}  // namespace greenlight::bundle
