// Plain checks instead of a test framework, to keep the demo quick to build.
// Usage: semver_test CASE   (CMakeLists.txt registers one CTest test per case)
#include <cstdio>
#include <cstring>

#include "semver/semver.hpp"

namespace {

int failures = 0;

// Unlike assert(), this still checks in release builds and keeps going after a failure.
#define CHECK(condition)                                                        \
    do {                                                                        \
        if (!(condition)) {                                                     \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                         #condition);                                           \
            ++failures;                                                         \
        }                                                                       \
    } while (false)

void parse_valid() {
    auto version = semver::parse("1.20.3");
    CHECK(version.has_value());
    CHECK(version && version->major == 1 && version->minor == 20 && version->patch == 3);
    CHECK(version && semver::to_string(*version) == "1.20.3");
    CHECK(semver::parse("0.0.0").has_value());
}

void parse_rejects_garbage() {
    for (const char* text : {"", "1", "1.2", "1.2.", "1.2.3.4", "01.2.3", "1.x.3", "-1.2.3", "1..3"}) {
        if (semver::parse(text).has_value()) {
            std::fprintf(stderr, "accepted \"%s\"\n", text);
            ++failures;
        }
    }
}

void ordering() {
    auto older = *semver::parse("1.9.9");
    auto newer = *semver::parse("1.10.0");
    CHECK(semver::compare(older, newer) < 0);  // numeric, not text, order
    CHECK(semver::compare(newer, older) > 0);
    CHECK(semver::compare(newer, newer) == 0);
}

void bump() {
    auto version = *semver::parse("2.4.7");
    CHECK(semver::to_string(semver::bump(version, semver::Part::major)) == "3.0.0");
    CHECK(semver::to_string(semver::bump(version, semver::Part::minor)) == "2.5.0");
    CHECK(semver::to_string(semver::bump(version, semver::Part::patch)) == "2.4.8");
}

struct Case {
    const char* name;
    void (*run)();
};

constexpr Case cases[] = {
    {"parse_valid", parse_valid},
    {"parse_rejects_garbage", parse_rejects_garbage},
    {"ordering", ordering},
    {"bump", bump},
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 2;
    }
    for (const Case& test_case : cases) {
        if (std::strcmp(test_case.name, argv[1]) == 0) {
            test_case.run();
            return failures == 0 ? 0 : 1;
        }
    }
    std::fprintf(stderr, "no such case: %s\n", argv[1]);
    return 2;
}
