// The passes of `greenlight proof`, in order: parse, check the rules, fingerprint the id fields, classify,
// rewrite strings (URL path templates, raw ids), serialize, scan what would be written.
#include "greenlight/proof/proof.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "greenlight/proof/classification.hpp"
#include "greenlight/proof/fingerprint.hpp"
#include "greenlight/proof/json_pointer.hpp"
#include "greenlight/proof/redaction.hpp"
#include "greenlight/proof/scanner.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::proof {

namespace {

using Fingerprint = config::ProofConfig::Fingerprint;
using Fingerprints = std::map<std::string, std::string, std::less<>>;  // id text -> fingerprint

std::string pointer_of(const std::vector<std::string>& tokens) {
    std::string pointer;
    for (const auto& token : tokens) pointer += "/" + escape_token(token);
    return pointer;
}

// nlohmann's message, without the "last read" excerpt: that excerpt is evidence text and may be personal data.
std::string parse_error_reason(const std::string& what) {
    std::string reason = what;
    if (const size_t column = reason.find("column "); column != std::string::npos) {
        if (const size_t colon = reason.find(": ", column); colon != std::string::npos)
            reason = reason.substr(colon + 2);
    } else if (const size_t colon = reason.find("] "); colon != std::string::npos) {
        reason = reason.substr(colon + 2);
    }
    if (const size_t last_read = reason.find("; last read: "); last_read != std::string::npos) {
        const size_t expected = reason.find("; expected ", last_read);
        reason = reason.substr(0, last_read) + (expected == std::string::npos ? "" : reason.substr(expected));
    }
    return reason;
}

util::Result<Json> parse_evidence(std::string_view text, std::string_view source_name) {
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& error) {
        // `byte` counts from 1 and points at the character that broke the parse.
        const auto position =
            util::text_position(text, static_cast<std::ptrdiff_t>(error.byte > 0 ? error.byte - 1 : 0));
        return util::make_error(fmt::format("{}:{}:{}: not valid JSON: {}", source_name, position.line, position.column,
                                            parse_error_reason(error.what())));
    } catch (const Json::out_of_range&) {
        // A number beyond a double's range (1e999): nlohmann gives no position, and its message quotes the
        // number, which is evidence text.
        return util::make_error(fmt::format("{}: not valid JSON: a number is out of range", source_name));
    } catch (const Json::exception& error) {
        return util::make_error(fmt::format("{}: not valid JSON (nlohmann error {})", source_name, error.id));
    }
}

bool deeper_than(const Json& node, int limit) {
    if (limit < 0) return true;
    if (!node.is_structured()) return false;
    for (const auto& child : node) {
        if (deeper_than(child, limit - 1)) return true;
    }
    return false;
}

util::Status check_rules(const config::ProofConfig& rules, std::string_view key) {
    if (rules.fingerprint_length < 8 || rules.fingerprint_length > 64) {
        return util::make_error(fmt::format("proof.fingerprint_length: expected 8 to 64 hex characters; found {}",
                                            rules.fingerprint_length));
    }
    if (rules.fingerprint == Fingerprint::hmac_sha256 && key.empty() && !rules.id_fields.empty()) {
        return util::make_error(fmt::format(
            "the fingerprint key is missing: set the environment variable {} to a secret (for example from a CI "
            "secret). Ticket ids are enumerable, so an unkeyed hash gives them back to anyone who hashes every "
            "candidate; only if that is acceptable, set `fingerprint: sha256` under `proof:`",
            rules.key_env));
    }
    if (rules.classification_field.empty()) {
        return util::make_error("proof.classification_field: expected a top-level member name; found an empty one");
    }
    return {};
}

// An id value found in an id field.
struct IdSite {
    std::string path;
    Json* node = nullptr;
    std::string text;  // a string as it is, a number as its JSON text
};

class IdCollector {
public:
    explicit IdCollector(const std::vector<std::string>& rules) {
        for (const auto& rule : rules) m_selectors.emplace_back(rule);
    }

    util::Status collect(Json& node) {
        std::vector<std::string> tokens;
        return walk(node, tokens, false);
    }

    std::vector<IdSite>& sites() { return m_sites; }

private:
    bool selected(const std::vector<std::string>& tokens, bool last_is_member) const {
        if (tokens.empty()) return false;
        return std::any_of(m_selectors.begin(), m_selectors.end(),
                           [&](const FieldSelector& selector) { return selector.matches(tokens, last_is_member); });
    }

    util::Status take(Json& node, const std::vector<std::string>& tokens) {
        const std::string path = pointer_of(tokens);
        if (node.is_string()) {
            m_sites.push_back(IdSite{path, &node, node.get<std::string>()});
        } else if (node.is_number()) {
            m_sites.push_back(IdSite{path, &node, node.dump()});
        } else if (node.is_array()) {
            // A list of ids: each element is one.
            std::vector<std::string> element_tokens = tokens;
            element_tokens.emplace_back();
            for (size_t index = 0; index < node.size(); ++index) {
                element_tokens.back() = std::to_string(index);
                Json& element = node[index];
                if (element.is_null()) continue;
                if (!element.is_string() && !element.is_number()) {
                    return util::make_error(
                        fmt::format("id field {}: expected strings or numbers in the list; found {}",
                                    pointer_of(element_tokens), element.type_name()));
                }
                if (auto status = take(element, element_tokens); !status) return status;
            }
        } else if (!node.is_null()) {
            // An object or a boolean under an id name is a mistake in the rules or the evidence; guessing which
            // part of it is the id could let the id through.
            return util::make_error(fmt::format(
                "id field {}: expected a string, a number or a list of them; found {} (narrow the `ids` rule "
                "to the member that holds the id)",
                path, node.type_name()));
        }
        return {};
    }

    util::Status walk(Json& node, std::vector<std::string>& tokens, bool last_is_member) {
        if (selected(tokens, last_is_member)) return take(node, tokens);
        if (node.is_object()) {
            for (auto& [name, child] : node.items()) {
                tokens.push_back(name);
                auto status = walk(child, tokens, true);
                tokens.pop_back();
                if (!status) return status;
            }
        } else if (node.is_array()) {
            for (size_t index = 0; index < node.size(); ++index) {
                tokens.push_back(std::to_string(index));
                auto status = walk(node[index], tokens, false);
                tokens.pop_back();
                if (!status) return status;
            }
        }
        return {};
    }

    std::vector<FieldSelector> m_selectors;
    std::vector<IdSite> m_sites;
};

// Fingerprints every id, refusing two different ids that give the same fingerprint: a proof in which two
// tickets look like one would prove the wrong thing.
util::Result<Fingerprints> fingerprint_ids(const std::vector<IdSite>& sites, const config::ProofConfig& rules,
                                           std::string_view key, std::string_view source_name) {
    Fingerprints fingerprints;
    std::unordered_map<std::string, const IdSite*> owner;  // fingerprint -> first site with that id
    for (const auto& site : sites) {
        auto [entry, inserted] = fingerprints.try_emplace(site.text);
        if (!inserted) continue;
        entry->second = fingerprint(site.text, rules.fingerprint, key, rules.fingerprint_length);
        auto [first, fresh] = owner.try_emplace(entry->second, &site);
        if (!fresh) {
            return util::make_error(fmt::format(
                "{}: two different ids give the same fingerprint, at {} and {}; raise proof.fingerprint_length "
                "(now {})",
                source_name, first->second->path, site.path, rules.fingerprint_length));
        }
    }
    return fingerprints;
}

// Raw ids inside a string, replaced by their fingerprints in one pass (so a fingerprint just written is
// never searched again); the longest id wins where two overlap.
size_t replace_ids(std::string& text, const IdMatcher& matcher, const Fingerprints& fingerprints) {
    const auto occurrences = matcher.find(text);
    if (occurrences.empty()) return 0;
    std::string out;
    size_t copied = 0;
    size_t replaced = 0;
    for (const auto& occurrence : occurrences) {
        if (occurrence.position < copied) continue;
        out.append(text, copied, occurrence.position - copied);
        out += fingerprints.find(std::string_view(text).substr(occurrence.position, occurrence.length))->second;
        copied = occurrence.position + occurrence.length;
        ++replaced;
    }
    out.append(text, copied, std::string::npos);
    text = std::move(out);
    return replaced;
}

struct Rewriter {
    const PathRedactor& redactor;
    const IdMatcher& ids;
    const Fingerprints& fingerprints;
    const std::set<const Json*>& id_nodes;
    size_t redacted = 0;
    size_t ids_in_text = 0;

    void walk(Json& node) {
        if (id_nodes.count(&node)) return;
        if (node.is_string()) {
            std::string& text = node.get_ref<std::string&>();
            redacted += redactor.redact(text);
            ids_in_text += replace_ids(text, ids, fingerprints);
        } else if (node.is_structured()) {
            for (auto& child : node) walk(child);
        }
    }
};

Json classification_json(const Classification& classification) {
    auto results = [](const std::vector<CriterionResult>& list) {
        Json array = Json::array();
        for (const auto& result : list) array.push_back(Json{{"name", result.name}, {"held", result.held}});
        return array;
    };
    return Json{{"verdict", classification.verdict},
                {"strong", results(classification.strong)},
                {"weak", results(classification.weak)}};
}

void add_refusals(std::vector<Refusal>& refusals, const std::string& path, const std::vector<Finding>& findings,
                  bool in_member_name) {
    for (const auto& finding : findings) {
        std::string reason = describe(finding.kind, finding.marker);
        if (finding.decoded && finding.kind != FindingKind::too_deeply_encoded) reason += " (after decoding)";
        refusals.push_back(Refusal{path, std::move(reason), in_member_name});
    }
}

void scan_values(const Json& node, std::vector<std::string>& tokens, const Scanner& scanner,
                 std::vector<Refusal>& refusals) {
    if (node.is_string()) {
        add_refusals(refusals, pointer_of(tokens), scanner.scan(node.get_ref<const std::string&>()), false);
    } else if (node.is_number()) {
        add_refusals(refusals, pointer_of(tokens), scanner.scan_number(node.dump()), false);
    } else if (node.is_object()) {
        for (const auto& [name, child] : node.items()) {
            tokens.push_back(name);
            add_refusals(refusals, pointer_of(tokens), scanner.scan(name), true);
            scan_values(child, tokens, scanner, refusals);
            tokens.pop_back();
        }
    } else if (node.is_array()) {
        for (size_t index = 0; index < node.size(); ++index) {
            tokens.push_back(std::to_string(index));
            scan_values(node[index], tokens, scanner, refusals);
            tokens.pop_back();
        }
    }
}

// Scans every value where it sits (so a refusal can name its path), then the serialized bytes as a whole,
// which is what will be written; a finding only the latter sees is reported for the whole proof.
std::vector<Refusal> scan_proof(const Json& document, const std::string& text, const config::ProofConfig& rules,
                                const Fingerprints& fingerprints) {
    ScanRules scan_rules{rules.forbidden, rules.scan_personal_data, {}};
    for (const auto& [id, fingerprint] : fingerprints) scan_rules.ids.push_back(id);
    const Scanner scanner(scan_rules);
    std::vector<Refusal> refusals;
    std::vector<std::string> tokens;
    scan_values(document, tokens, scanner, refusals);
    // The whole text holds numbers too, which may equal an id by chance: the id check stays per string.
    const Scanner whole_scanner(ScanRules{rules.forbidden, rules.scan_personal_data, {}});
    std::vector<Refusal> whole;
    add_refusals(whole, "", whole_scanner.scan(text), false);
    for (auto& refusal : whole) {
        const bool seen = std::any_of(refusals.begin(), refusals.end(),
                                      [&](const Refusal& other) { return other.reason == refusal.reason; });
        if (!seen) refusals.push_back(std::move(refusal));
    }
    return refusals;
}

}  // namespace

std::string Refusal::to_string() const {
    const std::string where = path.empty() ? "the proof as a whole" : path;
    return fmt::format("{}{}: {}", where, in_member_name ? " (member name)" : "", reason);
}

util::Result<ProofOutcome> make_proof(std::string_view evidence_json, const config::ProofConfig& rules,
                                      std::string_view key, std::string_view source_name) {
    if (auto status = check_rules(rules, key); !status) return status.error();
    auto redactor = PathRedactor::compile(rules.redact_paths);
    if (!redactor) return redactor.error();

    auto parsed = parse_evidence(evidence_json, source_name);
    if (!parsed) return parsed.error();
    Json document = std::move(parsed).value();
    if (!document.is_object()) {
        return util::make_error(
            fmt::format("{}: expected a JSON object at the top (the proof adds `{}` to it); found {}", source_name,
                        rules.classification_field, document.type_name()));
    }
    if (deeper_than(document, k_max_depth)) {
        return util::make_error(fmt::format("{}: nested deeper than {} levels", source_name, k_max_depth));
    }

    ProofOutcome outcome;
    // Criteria speak about the evidence as it was, before any id became a fingerprint.
    auto classification = classify(document, rules);
    if (!classification) return classification.error();
    outcome.classification = classification->verdict;
    outcome.strong = classification->strong;
    outcome.weak = classification->weak;

    IdCollector collector(rules.id_fields);
    if (auto status = collector.collect(document); !status) {
        return util::make_error(fmt::format("{}: {}", source_name, status.message()));
    }
    auto fingerprints = fingerprint_ids(collector.sites(), rules, key, source_name);
    if (!fingerprints) return fingerprints.error();

    std::set<const Json*> id_nodes;
    for (auto& site : collector.sites()) {
        *site.node = fingerprints->at(site.text);
        id_nodes.insert(site.node);
    }
    outcome.fingerprinted = collector.sites().size();

    std::vector<std::string> id_texts;
    for (const auto& [id, fingerprint] : *fingerprints) id_texts.push_back(id);
    const IdMatcher id_matcher(id_texts);
    Rewriter rewriter{*redactor, id_matcher, *fingerprints, id_nodes};
    rewriter.walk(document);
    // The criterion names come from the config and are rewritten and scanned like the evidence. Added only
    // now: adding a member may move the others, and `id_nodes` points at them.
    Json classification_object = classification_json(*classification);
    rewriter.walk(classification_object);
    outcome.redacted = rewriter.redacted;
    outcome.ids_in_text = rewriter.ids_in_text;
    classification_object["fingerprint"] =
        Json{{"algorithm", fingerprint_algorithm_name(rules.fingerprint)}, {"length", rules.fingerprint_length}};
    document[rules.classification_field] = std::move(classification_object);

    std::string text = document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
    outcome.refusals = scan_proof(document, text, rules, *fingerprints);
    if (outcome.refusals.empty()) outcome.text = std::move(text);
    return outcome;
}

}  // namespace greenlight::proof
