#include "greenlight/bridge/jcl_template.hpp"

#include <fmt/format.h>

#include "greenlight/util/base64.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::bridge {

namespace {

constexpr std::size_t k_card_columns = 80;

struct Placeholder {
    std::string kind;  // run_id, ..., payload_path, instream, base64
    std::string name;  // the file, for the kinds that take one
};

bool takes_file(std::string_view kind) {
    return kind == "payload_path" || kind == "instream" || kind == "base64";
}

bool is_plain_value(std::string_view kind) {
    return kind == "run_id" || kind == "correlator" || kind == "manifest_sha256" || kind == "attempt";
}

std::string plain_value(std::string_view kind, const TemplateValues& values) {
    if (kind == "run_id") return values.run_id;
    if (kind == "correlator") return values.correlator;
    if (kind == "manifest_sha256") return values.manifest_sha256;
    return std::to_string(values.attempt);
}

// The file's lines as in-stream data, or why they cannot be.
util::Result<std::string> instream_lines(const PayloadFile& file) {
    auto content = util::read_file(file.path);
    if (!content) return content.error();
    std::string out;
    int number = 0;
    for (std::string_view line : util::split_lines(*content)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > k_card_columns) {
            return util::make_error(
                fmt::format("{} line {} has {} columns; in-stream data holds at most {} (use "
                            "${{base64:{}}} instead)",
                            file.name, number, line.size(), k_card_columns, file.name));
        }
        if (line.starts_with("/*")) {
            return util::make_error(
                fmt::format("{} line {} starts with '/*', which would end the in-stream data (use "
                            "${{base64:{}}} instead)",
                            file.name, number, file.name));
        }
        out.append(line);
        out.push_back('\n');
    }
    return out;
}

}  // namespace

std::string base64_lines(std::string_view data, std::size_t columns) {
    const std::string encoded = util::base64_encode(data);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); i += columns) {
        out.append(encoded, i, columns);
        out.push_back('\n');
    }
    return out;
}

util::Result<std::string> render_jcl_template(std::string_view text, const TemplateValues& values,
                                              std::string_view template_name) {
    std::string out;
    int line_number = 0;
    auto fail = [&](const std::string& why) {
        return util::make_error(fmt::format("{}:{}: {}", template_name, line_number, why));
    };
    for (std::string_view line : util::split_lines(text)) {
        ++line_number;
        std::string rendered;
        bool data_lines = false;  // the line became in-stream data (possibly none)
        std::size_t position = 0;
        while (position < line.size()) {
            const std::size_t dollar = line.find('$', position);
            if (dollar == std::string_view::npos) {
                rendered.append(line.substr(position));
                break;
            }
            rendered.append(line.substr(position, dollar - position));
            if (line.substr(dollar).starts_with("$${")) {  // escaped: a literal ${
                rendered.append("${");
                position = dollar + 3;
                continue;
            }
            if (!line.substr(dollar).starts_with("${")) {
                rendered.push_back('$');
                position = dollar + 1;
                continue;
            }
            const std::size_t close = line.find('}', dollar);
            if (close == std::string_view::npos)
                return fail("'${' without a closing '}' (write '$${' for a literal '${')");
            const std::string_view inside = line.substr(dollar + 2, close - dollar - 2);
            Placeholder placeholder;
            if (auto colon = inside.find(':'); colon != std::string_view::npos) {
                placeholder = {std::string(inside.substr(0, colon)), std::string(inside.substr(colon + 1))};
            } else {
                placeholder.kind = std::string(inside);
            }
            if (is_plain_value(placeholder.kind) && placeholder.name.empty() &&
                inside.find(':') == std::string_view::npos) {
                rendered.append(plain_value(placeholder.kind, values));
                position = close + 1;
                continue;
            }
            if (!takes_file(placeholder.kind)) {
                return fail(
                    fmt::format("unknown placeholder ${{{}}}; known: ${{run_id}} ${{correlator}} "
                                "${{manifest_sha256}} ${{attempt}} ${{payload_path:NAME}} ${{instream:NAME}} "
                                "${{base64:NAME}} (write '$${{' for a literal '${{')",
                                util::printable(inside)));
            }
            const PayloadFile* file = values.payload ? values.payload->find(placeholder.name) : nullptr;
            if (!file) {
                return fail(fmt::format("${{{}}}: '{}' is not a file of the payload's manifest",
                                        util::printable(inside), util::printable(placeholder.name)));
            }
            if (placeholder.kind == "payload_path") {
                rendered.append(file->path.string());
                position = close + 1;
                continue;
            }
            // In-stream data replaces the whole line: it is a run of cards of its own.
            if (!util::trim(line.substr(0, dollar)).empty() || !util::trim(line.substr(close + 1)).empty()) {
                return fail(fmt::format("${{{}}} must stand alone on its line (it becomes lines of in-stream data)",
                                        util::printable(inside)));
            }
            if (placeholder.kind == "instream") {
                auto lines = instream_lines(*file);
                if (!lines) return fail(fmt::format("${{{}}}: {}", util::printable(inside), lines.message()));
                rendered = *lines;
            } else {
                auto content = util::read_file(file->path);
                if (!content) return fail(fmt::format("${{{}}}: {}", util::printable(inside), content.message()));
                rendered = base64_lines(*content);
            }
            data_lines = true;
            position = line.size();
        }
        if (data_lines) {
            out.append(rendered);  // already one '\n'-ended line per data line; an empty file gives none
            continue;
        }
        out.append(rendered);
        out.push_back('\n');
    }
    return out;
}

}  // namespace greenlight::bridge
