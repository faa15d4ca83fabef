// greenlight.yml `bridge:` section: where the job host is and how `greenlight bridge run` (the remote smoke
// flow) drives it. See docs/BRIDGE.md ("The smoke flow") and docs/CONFIG.md.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace greenlight::config {

// When the flow asks for the job's status, and how long it waits for an answer.
struct BridgePollConfig {
    std::chrono::milliseconds interval{5'000};        // between the first polls
    int slow_after = 3;                               // after this many polls ...
    std::chrono::milliseconds slow_interval{15'000};  // ... polls come this far apart
    std::chrono::milliseconds timeout{2'000};         // one poll's bound; slower = a failed poll
};

// When a job counts as stalled: no retcode this long after submit (running_timeout), or still INPUT this
// long after submit (input_timeout). A stalled job is cancelled and submitted again `retries` times, then
// the flow escalates (exit 4).
struct BridgeStallConfig {
    std::chrono::milliseconds running_timeout{300'000};
    std::chrono::milliseconds input_timeout{120'000};
    int retries = 1;
};

// What a finished job must show for the flow to pass. Every assertion is written to delta.json.
struct BridgeAssertionsConfig {
    std::string retcode = "CC 0000";
    // Spool DDs that must exist and not be empty: "DDNAME" (any step) or "STEP.DDNAME".
    std::vector<std::string> required_dds;
    // Log segments: non-empty spool files whose DD name is in log_dds (each step's STDOUT is one).
    std::vector<std::string> log_dds{"STDOUT"};
    int min_log_segments = 2;
    // Snippets: paragraphs (runs of non-blank lines) of the log segments with at least min_words words.
    int min_snippets = 4;
    int min_words_per_snippet = 80;
    // The script artifact: the DD whose content is final-script.json (JSON), and how many entries the
    // array at frames_pointer (a JSON Pointer) must have at least.
    std::string final_script_dd = "SCRIPT";
    std::string frames_pointer = "/frames";
    int min_final_script_frames = 1;
};

// Where failures are announced. URLs and tokens come from the environment, never from the file.
struct BridgeNotifyConfig {
    std::string webhook_env = "GREENLIGHT_CHAT_WEBHOOK";  // the variable holding the chat webhook URL
    std::string webhook_format = "auto";                  // discord | slack | auto (by the URL's host)
    std::string github_repository;                        // owner/name; empty: GITHUB_REPOSITORY
};

struct BridgeConfig {
    bool present = false;  // the file has a `bridge:` section
    int line = 0;
    std::string url;               // scheme://host[:port]; GREENLIGHT_BRIDGE_URL and --url win
    std::string credentials_file;  // optional "user:password" file (relative to the config's folder)
    std::string ca_file;           // optional PEM bundle
    bool insecure = false;
    std::string jcl_template;                // the job to submit, with ${...} placeholders (docs/BRIDGE.md)
    std::string manifest = "manifest.json";  // the payload's manifest, relative to the payload folder
    std::string output = "mainframe-smoke-results.tar.gz";
    BridgePollConfig poll;
    BridgeStallConfig stall;
    BridgeAssertionsConfig assertions;
    BridgeNotifyConfig notify;
};

}  // namespace greenlight::config
