// The bridge's pages: the jobs it holds (/jobs), one job with its spool files (/jobs/<name>/<id>), and one spool
// file's records (/jobs/<name>/<id>/files/<n>).
#include "greenlight/serve/dashboard.hpp"

#include <fmt/format.h>

#include "greenlight/serve/dashboard_widgets.hpp"
#include "greenlight/serve/html.hpp"

namespace greenlight::serve {

using namespace detail;

std::string render_jobs_page(const JobsPage& page) {
    Builder out;
    begin_page(out, "Jobs", Section::jobs);
    out.element("h1", "Bridge jobs");
    if (page.bridge == BridgeAvailability::disabled) {
        empty_state(out,
                    "This server does not host the bridge. Start it with `greenlight serve --bridge` to see jobs.");
        return out.finish();
    }
    if (page.jobs.empty()) {
        empty_state(out, "No jobs yet.");
        return out.finish();
    }
    open_table(out, {"Name", "Id", "Owner", "Status", "Return code", "Submitted", "Ended"}, "Jobs, newest first");
    for (const auto& job : page.jobs) {
        out.open("tr");
        open_cell(out, "Name");
        out.link(job_path(job), job.jobname);
        out.close();
        text_cell(out, "Id", job.jobid);
        text_cell(out, "Owner", job.owner);
        open_cell(out, "Status");
        badge(out, bridge::to_string(job.status), "neutral");
        out.close();
        open_cell(out, "Return code");
        if (job.retcode) {
            badge(out, *job.retcode, job_status_tone(job));
        } else {
            out.text("—");
        }
        out.close();
        open_cell(out, "Submitted");
        bridge_time(out, job.submitted);
        out.close();
        open_cell(out, "Ended");
        bridge_time(out, job.ended);
        out.close();
        out.close();
    }
    close_table(out);
    return out.finish();
}

namespace {

void job_heading(Builder& out, const bridge::Job& job) {
    out.open("h1");
    out.text("Job ");
    out.element("span", job.jobname, {{"class", "id"}});
    out.text(" ");
    out.element("span", job.jobid, {{"class", "id"}});
    out.text(" ");
    badge(out, bridge::to_string(job.status), "neutral");
    if (job.retcode) {
        out.text(" ");
        badge(out, *job.retcode, job_status_tone(job));
    }
    out.close();
}

void spool_file_table(Builder& out, const bridge::Job& job, const std::vector<bridge::SpoolFile>& files) {
    open_table(out, {"Id", "DD name", "Step", "Procedure step", "Class", "Records", "Bytes"}, "Spool files");
    for (const auto& file : files) {
        out.open("tr");
        text_cell(out, "Id", std::to_string(file.id), "number");
        open_cell(out, "DD name");
        out.link(spool_path(job, file.id), file.ddname);
        out.close();
        text_cell(out, "Step", file.stepname.empty() ? "—" : file.stepname);
        text_cell(out, "Procedure step", file.procstep.value_or("—"));
        text_cell(out, "Class", file.output_class);
        text_cell(out, "Records", std::to_string(file.record_count), "number");
        text_cell(out, "Bytes", std::to_string(file.byte_count), "number");
        out.close();
    }
    close_table(out);
}

}  // namespace

std::string render_job_page(const JobPage& page) {
    const bridge::Job& job = page.job;
    Builder out;
    begin_page(out, fmt::format("Job {} {}", job.jobname, job.jobid), Section::jobs);
    job_heading(out, job);

    out.open("dl", {{"class", "facts"}});
    definition(out, "Job name", job.jobname);
    definition(out, "Job id", job.jobid);
    definition(out, "Owner", job.owner);
    definition(out, "Status", std::string(bridge::to_string(job.status)));
    definition(out, "Return code", job.retcode.value_or("—"));
    definition(out, "Type", job.type);
    definition(out, "Class", job.job_class);
    definition(out, "Phase", fmt::format("{} {}", job.phase, job.phase_name));
    definition(out, "Correlator", job.correlator.empty() ? "—" : job.correlator);
    definition(out, "User correlator", job.user_correlator.value_or("—"));
    open_definition(out, "Submitted");
    bridge_time(out, job.submitted);
    out.close();
    open_definition(out, "Started");
    bridge_time(out, job.started);
    out.close();
    open_definition(out, "Ended");
    bridge_time(out, job.ended);
    out.close();
    if (job.cancel_requested) definition(out, "Cancel", "requested, waiting for the job to stop");
    out.close();  // dl

    out.element("h2", "Spool files");
    if (page.files.empty()) {
        empty_state(out, "This job has no spool files.");
    } else {
        spool_file_table(out, job, page.files);
    }
    return out.finish();
}

std::string render_spool_page(const SpoolPage& page) {
    const bridge::Job& job = page.job;
    const bridge::SpoolFile* shown = nullptr;
    for (const auto& file : page.files) {
        if (file.id == page.file_id) shown = &file;
    }
    std::string file_name = shown ? shown->ddname : fmt::format("file {}", page.file_id);
    Builder out;
    begin_page(out, fmt::format("{} of {} {}", file_name, job.jobname, job.jobid), Section::jobs);
    out.open("h1");
    out.element("span", file_name, {{"class", "id"}});
    out.text(" of job ");
    out.link(job_path(job), job.jobname + " " + job.jobid);
    out.close();

    if (!page.files.empty()) {
        out.open("nav", {{"class", "spool-files"}, {"aria-label", "Spool files of this job"}});
        out.open("ul");
        for (const auto& file : page.files) {
            out.open("li");
            std::string label = fmt::format("{} ({})", file.ddname, file.stepname.empty() ? "—" : file.stepname);
            if (file.id == page.file_id) {
                out.link(spool_path(job, file.id), label, {{"aria-current", "page"}});
            } else {
                out.link(spool_path(job, file.id), label);
            }
            out.close();
        }
        out.close();
        out.close();
    }

    std::int64_t lines = std::count(page.records.begin(), page.records.end(), '\n');
    if (!page.records.empty() && page.records.back() != '\n') ++lines;
    if (shown) {
        std::string counts = fmt::format("Step {}, class {}, {}, {}.", shown->stepname.empty() ? "—" : shown->stepname,
                                         shown->output_class, plural(shown->record_count, "record", "records"),
                                         plural(shown->byte_count, "byte", "bytes"));
        if (lines < shown->record_count) counts += fmt::format(" Showing the first {}.", lines);
        out.element("p", counts, {{"class", "note"}});
    }
    if (page.records.empty()) {
        empty_state(out, "This spool file is empty.");
    } else {
        out.element("pre", page.records, {{"class", "spool"}});
    }
    return out.finish();
}

}  // namespace greenlight::serve
