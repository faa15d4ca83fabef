// libFuzzer target: any text gives a Diff or a DiffParseError; a Diff's added lines have plausible numbers
// and an error points at a line that exists (or the one just past the end).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/diff/unified_diff.hpp"

using namespace greenlight::diff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const DiffParseOutcome outcome = parse_unified_diff(input);
    if (outcome) {
        const Diff& diff = *outcome;
        for (const FileDiff& file : diff.files) {
            if (file.old_path.empty() && file.new_path.empty()) std::abort();
            if (file.change == FileChange::added && !file.old_path.empty()) std::abort();
            if (file.change == FileChange::deleted && !file.new_path.empty()) std::abort();
            if (file.similarity < 0 || file.similarity > 100) std::abort();
            for (const AddedLine& line : file.added) {
                if (line.number < 1) std::abort();
                // An added line is one line of the input: it can never hold a newline.
                if (line.text.find('\n') != std::string::npos) std::abort();
            }
            for (std::int64_t number : file.removed_lines) {
                if (number < 1) std::abort();
            }
        }
    } else {
        const DiffParseError& error = outcome.error();
        std::int64_t lines = 0;
        for (char c : input) lines += c == '\n';
        if (error.message.empty() || error.line < 1 || error.line > lines + 2) std::abort();
    }
    return 0;
}
