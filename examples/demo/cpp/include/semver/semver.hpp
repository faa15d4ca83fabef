// A deliberately tiny semantic-version library: enough to have something real to test.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace semver {

struct Version {
    int major = 0;
    int minor = 0;
    int patch = 0;
};

// Parses "MAJOR.MINOR.PATCH" (digits only, no leading zeros); nothing on any other input.
std::optional<Version> parse(std::string_view text);

std::string to_string(const Version& version);

// Negative, zero or positive, like strcmp.
int compare(const Version& left, const Version& right);

enum class Part { major, minor, patch };

// The next version when `part` changes; the parts after it go back to zero.
Version bump(Version version, Part part);

}  // namespace semver
