#include "greenlight/proof/redaction.hpp"

#include <re2/re2.h>

#include <fmt/format.h>

namespace greenlight::proof {

namespace {

// A slash as URLs and the documents that carry them write it: plain, percent-encoded (once or more),
// as an HTML character reference, or JSON/JavaScript-escaped.
constexpr std::string_view k_separator = R"((?:/|\\/|%(?:25)*2f|&#0*47;?|&#x0*2f;?|&sol;))";
// One path segment: anything up to a separator, query, fragment, space or quote; percent escapes
// (including an encoded slash, when no later literal part of the template needs it) belong to it.
constexpr std::string_view k_segment = R"(((?:[^/?#&\s"'<>%\\]|%[0-9a-f]{2})+))";

}  // namespace

std::string template_pattern(std::string_view path_template) {
    std::string pattern;
    std::string literal;
    auto flush_literal = [&] {
        pattern += RE2::QuoteMeta(literal);
        literal.clear();
    };
    for (size_t i = 0; i < path_template.size(); ++i) {
        const char c = path_template[i];
        if (c == '/') {
            flush_literal();
            pattern += k_separator;
        } else if (c == '{') {
            const size_t close = path_template.find('}', i);
            if (close == std::string_view::npos) {
                literal.push_back(c);
                continue;
            }
            flush_literal();
            pattern += k_segment;
            i = close;
        } else {
            literal.push_back(c);
        }
    }
    flush_literal();
    return pattern;
}

struct PathRedactor::Patterns {
    std::vector<std::unique_ptr<RE2>> compiled;
};

PathRedactor::PathRedactor() : m_patterns(std::make_unique<Patterns>()) {}
PathRedactor::PathRedactor(PathRedactor&&) noexcept = default;
PathRedactor& PathRedactor::operator=(PathRedactor&&) noexcept = default;
PathRedactor::~PathRedactor() = default;

util::Result<PathRedactor> PathRedactor::compile(const std::vector<std::string>& templates) {
    PathRedactor redactor;
    RE2::Options options;
    options.set_case_sensitive(false);  // over-matching a path only redacts more
    options.set_log_errors(false);
    for (const auto& path_template : templates) {
        auto pattern = std::make_unique<RE2>(template_pattern(path_template), options);
        if (!pattern->ok()) {
            return util::make_error(
                fmt::format("proof.redact_paths: template `{}` does not compile: {}", path_template, pattern->error()));
        }
        if (pattern->NumberOfCapturingGroups() == 0) {
            return util::make_error(
                fmt::format("proof.redact_paths: template `{}` has no {{name}} segment, so there is nothing to redact",
                            path_template));
        }
        redactor.m_patterns->compiled.push_back(std::move(pattern));
    }
    return redactor;
}

size_t PathRedactor::redact(std::string& text) const {
    size_t replaced = 0;
    for (const auto& pattern : m_patterns->compiled) {
        const int groups = pattern->NumberOfCapturingGroups();
        std::vector<re2::StringPiece> matches(static_cast<size_t>(groups) + 1);
        std::string out;
        size_t copied = 0;  // text before this offset is in `out`
        size_t start = 0;
        const re2::StringPiece input(text.data(), text.size());
        while (start < text.size() &&
               pattern->Match(input, start, text.size(), RE2::UNANCHORED, matches.data(), groups + 1)) {
            for (int group = 1; group <= groups; ++group) {
                const re2::StringPiece& segment = matches[static_cast<size_t>(group)];
                const auto offset = static_cast<size_t>(segment.data() - text.data());
                out.append(text, copied, offset - copied);
                out.append(k_redacted);
                copied = offset + segment.size();
                ++replaced;
            }
            const auto match_end = static_cast<size_t>(matches[0].data() - text.data()) + matches[0].size();
            start = std::max(match_end, start + 1);
        }
        if (copied > 0) {
            out.append(text, copied, std::string::npos);
            text = std::move(out);
        }
    }
    return replaced;
}

}  // namespace greenlight::proof
