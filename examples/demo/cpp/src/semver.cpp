#include "semver/semver.hpp"

#include <algorithm>
#include <charconv>

namespace semver {
namespace {

// Reads one number up to the next '.' (or the end), advancing `text` past it.
std::optional<int> take_number(std::string_view& text) {
    std::size_t end = text.find('.');
    std::string_view digits = text.substr(0, end);
    // from_chars would take a sign; a version part is plain digits.
    bool all_digits = std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits.empty() || !all_digits || (digits.size() > 1 && digits.front() == '0')) {
        return std::nullopt;
    }
    int value = 0;
    auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || stop != digits.data() + digits.size()) {
        return std::nullopt;
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return value;
}

}  // namespace

std::optional<Version> parse(std::string_view text) {
    if (text.empty() || text.back() == '.') {
        return std::nullopt;
    }
    auto major = take_number(text);
    auto minor = major ? take_number(text) : std::nullopt;
    auto patch = minor ? take_number(text) : std::nullopt;
    if (!patch || !text.empty()) {
        return std::nullopt;
    }
    return Version{*major, *minor, *patch};
}

std::string to_string(const Version& version) {
    return std::to_string(version.major) + "." + std::to_string(version.minor) + "." +
           std::to_string(version.patch);
}

int compare(const Version& left, const Version& right) {
    if (left.major != right.major) return left.major < right.major ? -1 : 1;
    if (left.minor != right.minor) return left.minor < right.minor ? -1 : 1;
    if (left.patch != right.patch) return left.patch < right.patch ? -1 : 1;
    return 0;
}

Version bump(Version version, Part part) {
    switch (part) {
    case Part::major: return Version{version.major + 1, 0, 0};
    case Part::minor: return Version{version.major, version.minor + 1, 0};
    case Part::patch: return Version{version.major, version.minor, version.patch + 1};
    }
    return version;
}

}  // namespace semver
