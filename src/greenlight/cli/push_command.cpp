// `greenlight push`: read a run bundle, verify it, and send its report (and the packed bundle) to a
// `greenlight serve`. `greenlight run --report-to` reuses the same steps once its bundle is written.
#include <fmt/format.h>

#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/serve/report_client.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

std::string_view stored_words(serve::Stored stored) {
    return stored == serve::Stored::created ? "stored" : "already stored (the server keeps one run per run id)";
}

ExitCode exit_code_of(const serve::SendFailure& failure) {
    return failure.kind == serve::SendFailure::Kind::unreachable ? ExitCode::infrastructure : ExitCode::usage;
}

}  // namespace

ExitCode push_run(const PushRequest& request) {
    std::error_code error;
    if (!fs::exists(request.bundle, error)) {
        print_error(
            fmt::format("{} does not exist; expected a run bundle folder or a .tar.gz made by `greenlight pack`",
                        request.bundle.string()));
        return ExitCode::usage;
    }
    auto token = serve::token_from_environment();
    if (!token) {
        print_error(token.message());
        return ExitCode::usage;
    }

    serve::ReportClientOptions options;
    options.url = request.url;
    options.token = std::move(*token);
    if (!request.ca_file.empty()) options.ca_file = request.ca_file;
    options.tls = request.tls;
    if (request.retry_budget) options.retry_budget = *request.retry_budget;
    util::SystemClock clock;
    auto client = serve::ReportClient::create(std::move(options), clock);
    if (!client) {
        print_error(client.message());
        return ExitCode::usage;
    }

    // The client is made first: a bad URL or CA file is found before a large bundle is hashed.
    auto run = serve::is_packed_bundle(request.bundle) ? serve::read_run_from_packed_bundle(request.bundle)
                                                       : serve::read_run_from_bundle(request.bundle);
    if (!run) {
        print_error(run.message());
        return ExitCode::red;
    }

    const serve::SendOutcome report = client->send_report(*run);
    if (!report.ok()) {
        print_error(fmt::format("the report of run {} was not stored: {}", run->run_id, report.failure->message));
        return exit_code_of(*report.failure);
    }
    std::cerr << fmt::format("greenlight: run {} ({} {}, {}) sent to {}: {}\n", run->run_id, run->project, run->tier,
                             verdict::to_string(run->verdict), request.url, stored_words(*report.stored));
    if (request.upload == BundleUpload::skip) return ExitCode::green;

    const serve::SendOutcome bundle = client->send_bundle(run->run_id, request.bundle);
    if (!bundle.ok()) {
        print_error(fmt::format("the bundle of run {} was not stored: {}", run->run_id, bundle.failure->message));
        return exit_code_of(*bundle.failure);
    }
    std::cerr << fmt::format("greenlight: bundle of run {}: {}\n", run->run_id, stored_words(*bundle.stored));
    return ExitCode::green;
}

void add_push_command(CLI::App& app, ExitCode& exit_code) {
    struct Options {
        std::string bundle;
        std::string url;
        bool no_bundle = false;
        std::string ca_file;
        bool insecure = false;
        std::string retry_for;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command =
        app.add_subcommand("push", "Send a run bundle's report (and the packed bundle) to greenlight serve");
    command->footer(
        "The bundle is verified against its manifest first; one that does not verify is not sent.\n"
        "The report goes to PUT <url>/api/v1/runs/<run-id>, then the packed bundle (a folder is packed\n"
        "deterministically) to PUT <url>/api/v1/runs/<run-id>/bundle unless --no-bundle. The run id is the key:\n"
        "pushing the same run again stores nothing new. Connection errors, 5xx and 429 are retried with backoff\n"
        "(Retry-After honoured) for up to 2 minutes per request (--retry-for).\n"
        "The ingestion token is read from GREENLIGHT_SERVE_TOKEN only (never from the command line).\n"
        "Exit: 0 stored (or already stored), 1 the bundle does not verify or is not a run bundle, 2 usage, no token\n"
        "or the server refused the report (4xx), 3 the server is unreachable or failing (5xx) after the retries.");
    command->add_option("bundle", options->bundle, "Run bundle folder or .tar.gz (from `greenlight pack`)")
        ->type_name("PATH")
        ->required();
    command->add_option("--to", options->url, "The server's base URL, http(s)://host[:port][/path]")->required();
    command->add_flag("--no-bundle", options->no_bundle, "Send the report only, not the packed bundle");
    command->add_option("--ca-file", options->ca_file, "PEM bundle to verify the server's certificate with (https)")
        ->type_name("FILE");
    command->add_flag("--insecure", options->insecure, "https without verifying the certificate (test servers only)");
    command->add_option("--retry-for", options->retry_for,
                        "How long to keep retrying one request, e.g. 30s, 5m (default 2m)");
    command->callback([options, &exit_code] {
        PushRequest request;
        if (!options->retry_for.empty()) {
            auto budget = util::parse_duration(options->retry_for);
            if (!budget) {
                throw CLI::ValidationError(
                    fmt::format("--retry-for: '{}' is not a duration; use e.g. 30s or 5m", options->retry_for));
            }
            request.retry_budget = *budget;
        }
        request.bundle = options->bundle;
        request.url = options->url;
        request.upload = options->no_bundle ? BundleUpload::skip : BundleUpload::send;
        request.ca_file = options->ca_file;
        request.tls = options->insecure ? serve::TlsVerification::skip : serve::TlsVerification::verify;
        exit_code = push_run(request);
    });
}

}  // namespace greenlight::cli
