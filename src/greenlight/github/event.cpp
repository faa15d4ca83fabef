// Reading a pull_request event file (nlohmann's parser, no exceptions).
#include "greenlight/github/event.hpp"

#include <nlohmann/json.hpp>

#include "greenlight/util/fs.hpp"

namespace greenlight::github {

util::Result<PullRequestEvent> read_pull_request_event(const std::filesystem::path& file) {
    auto text = util::read_file(file);
    if (!text) return text.error();
    const nlohmann::json event = nlohmann::json::parse(*text, nullptr, false);
    if (event.is_discarded() || !event.is_object() || !event.contains("pull_request") ||
        !event["pull_request"].is_object()) {
        return util::make_error(file.string() + ": not a pull_request event (expected an object with `pull_request`)");
    }
    const nlohmann::json& pull_request = event["pull_request"];
    PullRequestEvent read;
    if (auto number = pull_request.find("number"); number != pull_request.end() && number->is_number_integer()) {
        read.number = number->get<int>();
    }
    if (auto labels = pull_request.find("labels"); labels != pull_request.end() && labels->is_array()) {
        for (const auto& label : *labels) {
            if (label.is_object() && label.contains("name") && label["name"].is_string()) {
                read.labels.push_back(label["name"].get<std::string>());
            }
        }
    }
    if (auto head = pull_request.find("head"); head != pull_request.end() && head->is_object()) {
        if (auto sha = head->find("sha"); sha != head->end() && sha->is_string())
            read.head_sha = sha->get<std::string>();
    }
    return read;
}

}  // namespace greenlight::github
