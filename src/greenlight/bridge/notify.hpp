// Failure notices of the remote smoke flow: a short summary, personal data redacted, sent to a chat
// webhook (Discord's `content` or Slack's `text` shape). The GitHub issue comment is sent by the command
// (github/issue_comments.hpp) with the same text. See docs/BRIDGE.md ("Notifications").
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// What a failure notice says.
struct FailureSummary {
    std::string verdict;  // fail, escalated, unreachable, payload-mismatch
    std::string run_id;
    std::string job;      // NAME(JOBID), or empty when no job was submitted
    std::string retcode;  // or empty
    int attempts = 0;
    std::vector<std::string> failed_assertions;  // names only
    std::string reason;                          // one line
    std::string bundle;                          // the bundle's file name, or empty when none was written
};

// A few lines of plain text (Markdown-safe), redacted.
std::string failure_text(const FailureSummary& summary);

// Replaces email addresses and look-alikes ("name at host dot com", "name[at]host.org", "name@host")
// with "[redacted]".
std::string redact_personal_data(std::string_view text);

enum class ChatFormat { discord, slack, both };

// `configured` is discord, slack or auto; auto picks by the URL's host (discord.com and discordapp.com:
// discord, hooks.slack.com: slack; any other host gets both fields).
ChatFormat chat_format_for(std::string_view url, std::string_view configured);

// The JSON body: {"content": text}, {"text": text} or both.
std::string chat_body(ChatFormat format, std::string_view text);

// POSTs the (already redacted) text to the webhook. An answer other than 2xx is an error quoting it.
util::Status post_chat_webhook(std::string_view url, std::string_view text, ChatFormat format,
                               std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace greenlight::bridge
