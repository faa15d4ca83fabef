// The XML formats: Cobertura (coverage.py, gcovr and most converters), JaCoCo and Clover.
//
// pugixml never reads a DTD's entities, internal or external: a DOCTYPE is stepped over and an undeclared
// entity reference stays literal text. So JaCoCo's reference to report.dtd, or a hostile
// <!ENTITY x SYSTEM "file:///etc/passwd">, loads nothing and expands nothing.
#include <fmt/format.h>
#include <cstring>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <pugixml.hpp>
#include <thread>

#include "greenlight/coverage/report_parsers.hpp"
#include "greenlight/util/parallel.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::coverage::detail {

namespace {

// Deeper JaCoCo <group> nesting than this is no build's output; refusing it bounds the recursion.
constexpr int k_max_group_depth = 64;

// Only entity and character references are needed (file names can hold &amp;); comments, CDATA and
// end-of-line normalisation are not, and skipping them keeps a 100 MB report fast.
constexpr unsigned k_parse_options = pugi::parse_escapes;

// A parsed document and the text it came from, so errors can point at a line and column.
class XmlReport {
public:
    XmlReport(std::string_view text, std::string_view source_name, BufferUse buffer_use)
        : m_text(text), m_source_name(source_name), m_buffer_use(buffer_use) {}

    // Parses the text and checks the root element; an error otherwise.
    std::optional<ReportParseError> load(std::string_view expected_root, std::string_view format_name) {
        if (util::trim(m_text).empty()) {
            return ReportParseError{std::string(m_source_name), 0, 0,
                                    fmt::format("empty file: expected {} XML", format_name)};
        }
        // In place, pugixml keeps its nodes pointing into the caller's buffer instead of into a copy of it.
        const pugi::xml_parse_result parsed =
            m_buffer_use == BufferUse::parse_in_place
                ? m_document.load_buffer_inplace(const_cast<char*>(m_text.data()), m_text.size(), k_parse_options)
                : m_document.load_buffer(m_text.data(), m_text.size(), k_parse_options);
        if (!parsed) {
            std::string message = fmt::format("malformed XML: {}", parsed.description());
            const size_t content_end = m_text.find_last_not_of(" \t\r\n") + 1;
            if (parsed.offset + 1 >= static_cast<std::ptrdiff_t>(content_end)) {
                message += " (the file ends early: was the coverage tool interrupted while writing it?)";
            }
            return error_at(m_text, parsed.offset, m_source_name, std::move(message));
        }
        const pugi::xml_node root = m_document.document_element();
        if (root.name() != expected_root) {
            return error_at(m_text, root.offset_debug(), m_source_name,
                            fmt::format("expected a <{}> root element for {} XML, found <{}>", expected_root,
                                        format_name, root.name()));
        }
        return std::nullopt;
    }

    // Parses the text as a fragment: a sequence of elements without one root (a slice of a larger document).
    bool load_fragment() {
        constexpr unsigned options = k_parse_options | pugi::parse_fragment;
        return static_cast<bool>(
            m_buffer_use == BufferUse::parse_in_place
                ? m_document.load_buffer_inplace(const_cast<char*>(m_text.data()), m_text.size(), options)
                : m_document.load_buffer(m_text.data(), m_text.size(), options));
    }

    pugi::xml_node root() const { return m_document.document_element(); }
    pugi::xml_node document() const { return m_document; }

    // An error about `attribute` of `element`, pointing at the attribute when it can be found in the tag.
    ReportParseError attribute_error(pugi::xml_node element, std::string_view attribute, std::string message) const {
        std::ptrdiff_t offset = element.offset_debug();
        if (offset >= 0) {
            const size_t tag_end = m_text.find('>', static_cast<size_t>(offset));
            const size_t found = m_text.find(attribute, static_cast<size_t>(offset));
            if (found != std::string_view::npos && found < tag_end) offset = static_cast<std::ptrdiff_t>(found);
        }
        return error_at(m_text, offset, m_source_name, std::move(message));
    }

    // A required whole-number attribute; an error naming the element and the value otherwise.
    std::variant<std::int64_t, ReportParseError> integer(pugi::xml_node element, const char* attribute) const {
        const pugi::xml_attribute value = element.attribute(attribute);
        if (!value) {
            return attribute_error(element, element.name(),
                                   fmt::format("<{}> has no {} attribute", element.name(), attribute));
        }
        if (std::optional<std::int64_t> number = parse_integer(util::trim(value.value()))) return *number;
        return attribute_error(element, attribute,
                               fmt::format("<{}> {}=\"{}\": expected a whole number", element.name(), attribute,
                                           util::printable(value.value())));
    }

    // An optional whole-number attribute: `fallback` when absent, an error when present and not a number.
    std::variant<std::int64_t, ReportParseError> integer_or(pugi::xml_node element, const char* attribute,
                                                            std::int64_t fallback) const {
        if (!element.attribute(attribute)) return fallback;
        return integer(element, attribute);
    }

private:
    std::string_view m_text;
    std::string_view m_source_name;
    BufferUse m_buffer_use;
    pugi::xml_document m_document;
};

// Line numbers start at 1; tools that emit line 0 mean "no line" (a synthetic statement), so it is skipped.
bool is_source_line(std::int64_t line) {
    return line > 0;
}

std::optional<ReportParseError> read_cobertura_class(const XmlReport& xml, pugi::xml_node class_element,
                                                     Report& report) {
    const std::string_view filename = class_element.attribute("filename").value();
    if (filename.empty()) {
        return xml.attribute_error(class_element, "class", "<class> has no filename attribute");
    }
    FileCoverage& file = report.files[std::string(filename)];
    // Only <class><lines>: <methods><method><lines> repeats the same lines, so reading both would double count.
    const pugi::xml_node lines = class_element.child("lines");
    auto is_line = [](pugi::xml_node node) { return std::strcmp(node.name(), "line") == 0; };
    if (file.lines.empty()) {
        // Sized once: growing by doubling would leave a third of a large report's memory unused on average.
        size_t count = 0;
        for (pugi::xml_node line = lines.first_child(); line; line = line.next_sibling()) count += is_line(line);
        file.lines.reserve(count);
    }
    for (pugi::xml_node line = lines.first_child(); line; line = line.next_sibling()) {
        if (!is_line(line)) continue;
        // One pass over the attributes instead of a search per name: reports hold millions of <line>s.
        const char* number_text = nullptr;
        const char* hits_text = nullptr;
        for (pugi::xml_attribute attribute = line.first_attribute(); attribute;
             attribute = attribute.next_attribute()) {
            const char* name = attribute.name();
            if (!number_text && std::strcmp(name, "number") == 0) {
                number_text = attribute.value();
            } else if (!hits_text && std::strcmp(name, "hits") == 0) {
                hits_text = attribute.value();
            }
        }
        std::optional<std::int64_t> line_number = number_text ? parse_integer(number_text) : std::nullopt;
        std::optional<std::int64_t> hits = hits_text ? parse_integer(hits_text) : std::nullopt;
        if (!line_number || !hits) {
            // The slower path words the error exactly (missing attribute, or the value that is not a number).
            auto number = xml.integer(line, "number");
            if (auto* error = std::get_if<ReportParseError>(&number)) return std::move(*error);
            auto checked_hits = xml.integer(line, "hits");
            if (auto* error = std::get_if<ReportParseError>(&checked_hits)) return std::move(*error);
            line_number = std::get<std::int64_t>(number);
            hits = std::get<std::int64_t>(checked_hits);
        }
        if (*line_number < 0) return xml.attribute_error(line, "number", "<line> number is negative");
        if (is_source_line(*line_number)) record_line(file, *line_number, *hits);
    }
    return std::nullopt;
}

std::optional<ReportParseError> read_jacoco_package(const XmlReport& xml, pugi::xml_node package, Report& report) {
    std::string package_path(util::trim(package.attribute("name").value()));
    if (!package_path.empty() && package_path.back() != '/') package_path += '/';
    for (pugi::xml_node source_file : package.children("sourcefile")) {
        const std::string_view name = source_file.attribute("name").value();
        if (name.empty()) return xml.attribute_error(source_file, "sourcefile", "<sourcefile> has no name attribute");
        FileCoverage& file = report.files[package_path + std::string(name)];
        for (pugi::xml_node line : source_file.children("line")) {
            auto number = xml.integer(line, "nr");
            if (auto* error = std::get_if<ReportParseError>(&number)) return std::move(*error);
            auto covered_instructions = xml.integer_or(line, "ci", 0);
            if (auto* error = std::get_if<ReportParseError>(&covered_instructions)) return std::move(*error);
            auto missed_instructions = xml.integer_or(line, "mi", 0);
            if (auto* error = std::get_if<ReportParseError>(&missed_instructions)) return std::move(*error);
            const std::int64_t line_number = std::get<std::int64_t>(number);
            if (line_number < 0) return xml.attribute_error(line, "nr", "<line> nr is negative");
            // JaCoCo has no execution counts; covered instructions stand in for hits (any > 0 means executed).
            if (is_source_line(line_number)) {
                record_line(file, line_number, std::get<std::int64_t>(covered_instructions));
            }
        }
    }
    return std::nullopt;
}

std::optional<ReportParseError> read_jacoco_group(const XmlReport& xml, pugi::xml_node group, int depth,
                                                  Report& report) {
    if (depth > k_max_group_depth) {
        return xml.attribute_error(group, "group", fmt::format("<group> nested more than {} deep", k_max_group_depth));
    }
    for (pugi::xml_node child : group.children()) {
        const std::string_view name = child.name();
        std::optional<ReportParseError> error;
        if (name == "package") {
            error = read_jacoco_package(xml, child, report);
        } else if (name == "group") {
            error = read_jacoco_group(xml, child, depth + 1, report);
        }
        if (error) return error;
    }
    return std::nullopt;
}

// Clover marks each line with what starts on it. A "cond" line carries truecount/falsecount instead of
// (or besides) count: the line ran when its condition was evaluated either way, so their sum is its hits.
std::variant<std::int64_t, ReportParseError> clover_line_hits(const XmlReport& xml, pugi::xml_node line) {
    if (line.attribute("count")) return xml.integer(line, "count");
    auto true_count = xml.integer_or(line, "truecount", 0);
    if (std::holds_alternative<ReportParseError>(true_count)) return true_count;
    auto false_count = xml.integer_or(line, "falsecount", 0);
    if (std::holds_alternative<ReportParseError>(false_count)) return false_count;
    return add_hits(std::max<std::int64_t>(std::get<std::int64_t>(true_count), 0),
                    std::max<std::int64_t>(std::get<std::int64_t>(false_count), 0));
}

// Statements and conditions are executable lines. A "method" entry marks a signature, which PHPUnit's own
// line coverage does not count and diff-cover skips too; counting it would disagree with both.
bool is_clover_measured_type(std::string_view type) {
    return type == "stmt" || type == "cond";
}

std::optional<ReportParseError> read_clover_file(const XmlReport& xml, pugi::xml_node file_element, Report& report) {
    // OpenClover writes name="Foo.java" path="/abs/.../Foo.java"; PHPUnit writes the full path in name.
    std::string_view path = util::trim(file_element.attribute("path").value());
    if (path.empty()) path = util::trim(file_element.attribute("name").value());
    if (path.empty()) return xml.attribute_error(file_element, "file", "<file> has neither a path nor a name");
    FileCoverage& file = report.files[std::string(path)];
    for (pugi::xml_node line : file_element.children("line")) {
        if (!is_clover_measured_type(line.attribute("type").value())) continue;
        auto number = xml.integer(line, "num");
        if (auto* error = std::get_if<ReportParseError>(&number)) return std::move(*error);
        auto hits = clover_line_hits(xml, line);
        if (auto* error = std::get_if<ReportParseError>(&hits)) return std::move(*error);
        const std::int64_t line_number = std::get<std::int64_t>(number);
        if (line_number < 0) return xml.attribute_error(line, "num", "<line> num is negative");
        if (is_source_line(line_number)) record_line(file, line_number, std::get<std::int64_t>(hits));
    }
    return std::nullopt;
}

std::optional<ReportParseError> read_clover_project(const XmlReport& xml, pugi::xml_node project, Report& report) {
    for (pugi::xml_node child : project.children()) {
        const std::string_view name = child.name();
        std::optional<ReportParseError> error;
        if (name == "file") {
            error = read_clover_file(xml, child, report);
        } else if (name == "package") {
            for (pugi::xml_node file : child.children("file")) {
                error = read_clover_file(xml, file, report);
                if (error) break;
            }
        }
        if (error) return error;
    }
    return std::nullopt;
}

// About this much XML per slice: big enough that cutting costs nothing, small enough to stay in cache-sized
// reused memory.
constexpr size_t k_slice_size = 2u << 20;

// The <package> elements of one slice of <packages>, read as a fragment on its own thread. The slice is
// copied into the thread's `buffer` and parsed there in place: the buffer keeps its capacity from slice to
// slice, where a fresh copy per slice would be mapped, faulted in and unmapped again each time.
std::optional<Report> read_cobertura_packages(std::string_view slice, std::string_view source_name,
                                              std::string& buffer) {
    buffer.assign(slice);
    XmlReport xml(buffer, source_name, BufferUse::parse_in_place);
    if (!xml.load_fragment()) return std::nullopt;
    Report report;
    for (pugi::xml_node node : xml.document().children()) {
        if (node.type() == pugi::node_pcdata) {
            if (!util::trim(node.value()).empty()) return std::nullopt;
            continue;
        }
        if (node.type() != pugi::node_element || std::strcmp(node.name(), "package") != 0) return std::nullopt;
        for (pugi::xml_node class_element : node.child("classes").children("class")) {
            if (read_cobertura_class(xml, class_element, report)) return std::nullopt;
        }
    }
    return report;
}

}  // namespace

// A large report is cut into slices at <package> starts, parsed on several threads, and merged in
// document order, which gives the same files and hits as one parse. Anything out of the ordinary (no
// <packages>, a slice that is not well-formed on its own because a comment or CDATA hides a "<package",
// an error) gives up, and the whole-document parse words the error with its exact place.
std::optional<Report> parse_cobertura_in_slices(std::string_view text, std::string_view source_name) {
    const size_t open = text.find("<packages>");
    const size_t close = text.rfind("</packages>");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
    const size_t content_begin = open + std::strlen("<packages>");
    const std::string_view content = text.substr(content_begin, close - content_begin);

    // Many slices, fewer threads: each thread parses one slice at a time and frees it before the next, so
    // the memory of a parsed slice is reused instead of faulted in anew, and peak memory stays small.
    const size_t threads = std::max<size_t>(util::worker_threads(8), 2);
    const size_t slice_count = std::clamp<size_t>(content.size() / k_slice_size, threads, 1024);
    std::vector<size_t> cuts = {0};
    for (size_t slice = 1; slice < slice_count; ++slice) {
        size_t cut = content.find("<package ", std::max(cuts.back() + 1, content.size() * slice / slice_count));
        if (cut == std::string_view::npos) break;
        cuts.push_back(cut);
    }
    cuts.push_back(content.size());

    // The document without its packages: the root element, its attributes and <sources>.
    std::string outline(text.substr(0, content_begin));
    outline.append(text.substr(close));
    XmlReport xml(outline, source_name, BufferUse::copy);
    if (xml.load("coverage", "Cobertura")) return std::nullopt;

    std::vector<std::optional<Report>> slices(cuts.size() - 1);
    std::atomic<bool> failed{false};
    util::for_each_index_in_parallel_with_state(
        slices.size(), threads,
        [] {
            std::string buffer;
            buffer.reserve(2 * k_slice_size);
            return buffer;
        },
        [&](std::string& buffer, size_t slice) {
            if (failed) return;  // the whole-document parse takes over; the other slices are wasted work
            slices[slice] = read_cobertura_packages(content.substr(cuts[slice], cuts[slice + 1] - cuts[slice]),
                                                    source_name, buffer);
            if (!slices[slice]) failed = true;
        });
    Report report;
    report.format = ReportFormat::cobertura;
    for (pugi::xml_node source : xml.root().child("sources").children("source")) {
        std::string_view root = util::trim(source.child_value());
        if (!root.empty()) report.source_roots.emplace_back(root);
    }
    for (auto& slice : slices) {
        if (!slice) return std::nullopt;
        for (auto& [path, coverage] : slice->files) {
            auto [entry, inserted] = report.files.try_emplace(path, std::move(coverage));
            if (inserted) continue;
            // A file whose classes sit in more than one slice: add the later slice's hits, as one parse would.
            for (const auto& [line, hits] : coverage.lines) record_line(entry->second, line, hits);
        }
    }
    return report;
}

ReportOutcome parse_cobertura(std::string_view text, std::string_view source_name, BufferUse buffer_use) {
    text = without_byte_order_mark(text);
    if (text.size() >= k_parallel_parse_minimum) {
        if (std::optional<Report> report = parse_cobertura_in_slices(text, source_name)) return std::move(*report);
    }
    XmlReport xml(text, source_name, buffer_use);
    if (auto error = xml.load("coverage", "Cobertura")) return std::move(*error);

    Report report;
    report.format = ReportFormat::cobertura;
    for (pugi::xml_node source : xml.root().child("sources").children("source")) {
        std::string_view root = util::trim(source.child_value());
        if (!root.empty()) report.source_roots.emplace_back(root);
    }
    for (pugi::xml_node package : xml.root().child("packages").children("package")) {
        for (pugi::xml_node class_element : package.child("classes").children("class")) {
            if (auto error = read_cobertura_class(xml, class_element, report)) return std::move(*error);
        }
    }
    return report;
}

ReportOutcome parse_jacoco(std::string_view text, std::string_view source_name, BufferUse buffer_use) {
    text = without_byte_order_mark(text);
    XmlReport xml(text, source_name, buffer_use);
    if (auto error = xml.load("report", "JaCoCo")) return std::move(*error);

    Report report;
    report.format = ReportFormat::jacoco;
    if (auto error = read_jacoco_group(xml, xml.root(), 0, report)) return std::move(*error);
    return report;
}

ReportOutcome parse_clover(std::string_view text, std::string_view source_name, BufferUse buffer_use) {
    text = without_byte_order_mark(text);
    XmlReport xml(text, source_name, buffer_use);
    if (auto error = xml.load("coverage", "Clover")) return std::move(*error);

    Report report;
    report.format = ReportFormat::clover;
    // OpenClover puts test sources in <testproject>; their lines are measured like any other.
    for (pugi::xml_node child : xml.root().children()) {
        const std::string_view name = child.name();
        if (name != "project" && name != "testproject") continue;
        if (auto error = read_clover_project(xml, child, report)) return std::move(*error);
    }
    return report;
}

ReportOutcome parse_xml_in_place(ReportFormat format, std::string& text, std::string_view source_name) {
    switch (format) {
        case ReportFormat::cobertura:
            return parse_cobertura(text, source_name, BufferUse::parse_in_place);
        case ReportFormat::jacoco:
            return parse_jacoco(text, source_name, BufferUse::parse_in_place);
        case ReportFormat::clover:
            return parse_clover(text, source_name, BufferUse::parse_in_place);
        case ReportFormat::lcov:
        case ReportFormat::go:
            break;
    }
    return parse_report(text, source_name, format);
}

}  // namespace greenlight::coverage::detail
