// Ingestion: a run's report (PUT /api/v1/runs/<id>) and its packed bundle (PUT /api/v1/runs/<id>/bundle), sent
// by `greenlight push` and `greenlight run --report-to` with an ingest token; and the removal of uploads a
// stopped server left.
#include <fmt/format.h>

#include <random>

#include "greenlight/bundle/pack.hpp"
#include "greenlight/bundle/run_id.hpp"
#include "greenlight/serve/html.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/serve/server_internal.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::serve::detail {

namespace {

using nlohmann::json;
using util::Status;

// A run id names a folder: checked before anything is built from it.
bool refuse_bad_run_id(web::Response& response, const std::string& run_id) {
    if (bundle::valid_run_id(run_id)) return false;
    send_problem(response, 400,
                 "a run id is letters, digits, '.', '_' and '-', starting with a letter or digit, "
                 "without '..'");
    return true;
}

}  // namespace

void put_run(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    const std::string& run_id = exchange.param("run_id");
    if (refuse_bad_run_id(response, run_id)) return;
    if (!server.bearer(request, response, TokenScope::ingest)) return;
    auto record = parse_run_report(request.body);
    if (!record) {
        server.metrics.count(server.metrics.ingested, "refused");
        send_problem(response, 422, record.message());
        return;
    }
    if (record->run_id != run_id) {
        server.metrics.count(server.metrics.ingested, "refused");
        send_problem(response, 422,
                     fmt::format("the report is of run {}, not of run {} named in the path", record->run_id, run_id));
        return;
    }
    record->received = server.now();
    auto stored = server.store->put_run(*record);
    if (!stored) return server.store_failed(request, response, stored.error());
    server.metrics.count(server.metrics.ingested, *stored ? "stored" : "already_stored");
    if (*stored) runs_counted_as_pings(server, *record);
    send_json(response, *stored ? 201 : 200,
              json{{"run_id", run_id}, {"stored", *stored}, {"url", "/runs/" + html::percent_encode(run_id)}});
}

// The packed bundle: written to a temporary file, verified against its manifest, unpacked next to the others.
void put_bundle(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    const std::string& run_id = exchange.param("run_id");
    if (refuse_bad_run_id(response, run_id)) return;
    if (!server.bearer(request, response, TokenScope::ingest)) return;
    std::error_code error;
    std::filesystem::create_directories(server.options.bundles_dir, error);
    const std::filesystem::path final_folder = server.options.bundles_dir / run_id;
    const std::filesystem::path archive =
        server.options.bundles_dir / fmt::format(".{}.upload-{}.tar.gz", run_id, std::random_device{}());
    if (Status written = util::write_file_atomic(archive, request.body); !written) {
        send_problem(response, 500, fmt::format("cannot keep the bundle: {}", written.message()));
        return;
    }
    auto record = read_run_from_packed_bundle(archive);
    if (!record) {
        std::filesystem::remove(archive, error);
        server.metrics.count(server.metrics.ingested, "refused");
        send_problem(response, 422, record.message());
        return;
    }
    if (record->run_id != run_id) {
        std::filesystem::remove(archive, error);
        send_problem(response, 422,
                     fmt::format("the bundle is of run {}, not of run {} named in the path", record->run_id, run_id));
        return;
    }
    const std::filesystem::path unpacked =
        server.options.bundles_dir / fmt::format(".{}.unpack-{}", run_id, std::random_device{}());
    if (Status opened = bundle::unpack_bundle(archive, unpacked); !opened) {
        std::filesystem::remove(archive, error);
        std::filesystem::remove_all(unpacked, error);
        send_problem(response, 422, opened.message());
        return;
    }
    std::filesystem::remove(archive, error);
    // A bundle kept before is the same verified bundle (its run id is its name): it stays, so its files are never
    // missing for a moment. The new copy appears whole, by one rename, or not at all.
    std::filesystem::rename(unpacked, final_folder, error);
    if (error) {
        std::filesystem::remove_all(unpacked, error);
        if (!std::filesystem::is_directory(final_folder, error)) {
            send_problem(response, 500, "cannot keep the bundle");
            return;
        }
    }
    record->received = server.now();
    record->has_bundle = true;
    auto stored = server.store->put_run(*record);
    if (!stored) return server.store_failed(request, response, stored.error());
    if (!*stored) {
        if (Status marked = server.store->set_bundle_stored(run_id); !marked) {
            return server.store_failed(request, response, marked.error());
        }
    } else {
        runs_counted_as_pings(server, *record);
    }
    server.metrics.count(server.metrics.ingested, "bundle");
    send_json(response, 201, json{{"run_id", run_id}, {"bundle", true}, {"stored", *stored}});
}

// Uploads a killed server left behind (.<run id>.upload-N.tar.gz, .<run id>.unpack-N): removed at start once an
// hour old, so that an upload in progress on a replica sharing the folder is left alone.
void remove_abandoned_uploads(const std::filesystem::path& bundles,
                              const std::function<void(const std::string&)>& log) {
    std::error_code error;
    const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours{1};
    std::size_t removed = 0;
    for (std::filesystem::directory_iterator entry(bundles, error), end; !error && entry != end;
         entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        if (!name.starts_with(".") ||
            (name.find(".upload-") == std::string::npos && name.find(".unpack-") == std::string::npos)) {
            continue;
        }
        std::error_code stat_error;
        if (std::filesystem::last_write_time(entry->path(), stat_error) > cutoff || stat_error) continue;
        std::error_code remove_error;
        std::filesystem::remove_all(entry->path(), remove_error);
        if (!remove_error) ++removed;
    }
    if (removed > 0)
        log(fmt::format("removed {} upload{} a stopped server left in {}", removed, removed == 1 ? "" : "s",
                        bundles.string()));
}

}  // namespace greenlight::serve::detail
