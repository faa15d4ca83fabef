// `greenlight merge`: shard bundles of one run joined into one bundle.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenlight/bundle/verify.hpp"

namespace greenlight::runner {

struct MergeOutcome {
    enum class Status { merged, invalid_input, usage_error, write_error };
    Status status = Status::merged;
    std::string message;
    nlohmann::json summary;
    bundle::VerifyReport verification;
};

// Verifies each input (folder or .tar.gz) against its manifest, checks they are shards of one run
// (same project, run id and tier, no suite twice), copies their suites into `output`, and writes a
// summary whose verdict and counts are the union, the joined junit.xml, and a new manifest.
MergeOutcome merge_bundles(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                           int jobs);

}  // namespace greenlight::runner
