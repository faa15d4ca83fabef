// `greenlight merge`: shard bundles of one run joined into one bundle, judged again as one run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenlight/bundle/verify.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::runner {

struct MergeOutcome {
    // merged: written (the summary says green or red); invalid_input: an input does not verify or its
    // summary.json cannot be read; refused: the inputs are not the shards of one run (or the output folder
    // is in use); write_error: the merged bundle could not be written.
    enum class Status { merged, invalid_input, refused, write_error };
    Status status = Status::merged;
    std::string message;
    nlohmann::json summary;
    bundle::VerifyReport verification;
};

// Verifies each input (folder or .tar.gz) against its manifest and reads its summary.json; refuses inputs
// that are not distinct shards of one run (other project, run id, tier or shard count; a sharded input with an
// unsharded one; the same shard twice; a suite in two inputs; shards planned from different tiers). Copies
// their suites into `output` and decides the merged run with verdict::decide_run: shards none of the inputs
// brought make it red (`error`), or, with MissingShards::allow_partial, incomplete; never green. Then writes
// the summary, the joined junit.xml and a new manifest.
MergeOutcome merge_bundles(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                           int jobs, verdict::MissingShards missing_shards = verdict::MissingShards::red);

}  // namespace greenlight::runner
