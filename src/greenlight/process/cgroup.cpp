#include "greenlight/process/cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "greenlight/process/proc.hpp"

namespace greenlight::process {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
    std::string content;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return content;
    char buffer[4096];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) content.append(buffer, static_cast<size_t>(got));
    ::close(fd);
    return content;
}

bool write_text(const fs::path& path, std::string_view text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return written;
}

std::optional<std::uint64_t> read_number(const fs::path& path) {
    std::string text = read_text(path);
    if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
    return std::strtoull(text.c_str(), nullptr, 10);
}

// "key value" lines (cgroup.events, cpu.stat): the value of `key`, if present.
std::optional<std::uint64_t> keyed_value(const std::string& text, std::string_view key) {
    std::istringstream lines(text);
    std::string name;
    std::uint64_t value = 0;
    while (lines >> name >> value) {
        if (name == key) return value;
    }
    return std::nullopt;
}

// Whether a comma-separated list (mount options, a v1 line's controllers) holds `name`.
bool list_holds(std::string_view list, std::string_view name) {
    while (!list.empty()) {
        auto comma = list.find(',');
        if (list.substr(0, comma) == name) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

// The hierarchy's mount point and the path of its root inside the hierarchy, from a mountinfo line.
struct Mount {
    fs::path point;
    std::string root;
};

// mountinfo escapes blanks and backslashes in paths as octal (\040).
std::string unescape_mount_path(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            int value = 0;
            bool octal = true;
            for (size_t k = 1; k <= 3 && octal; ++k) {
                char c = text[i + k];
                octal = c >= '0' && c <= '7';
                value = value * 8 + (c - '0');
            }
            if (octal) {
                out.push_back(static_cast<char>(value));
                i += 3;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

// Finds mounts of cgroup2, and cgroup v1 mounts carrying `controller`.
std::optional<Mount> find_mount(std::string_view filesystem_type, std::string_view controller) {
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mountinfo, line)) {
        // id parent major:minor root mount-point options [optional fields] - type source super-options
        auto separator = line.find(" - ");
        if (separator == std::string::npos) continue;
        std::istringstream head(line.substr(0, separator));
        std::istringstream tail(line.substr(separator + 3));
        std::string id, parent, device, root, point, type, source, super_options;
        head >> id >> parent >> device >> root >> point;
        tail >> type >> source >> super_options;
        if (type != filesystem_type) continue;
        if (!controller.empty() && !list_holds(super_options, controller)) continue;
        return Mount{unescape_mount_path(point), unescape_mount_path(root)};
    }
    return std::nullopt;
}

// This process's path in a hierarchy from /proc/self/cgroup: "0::/a/b" for v2, "4:memory:/a" for v1.
std::optional<std::string> own_path(std::string_view controller) {
    std::ifstream cgroups("/proc/self/cgroup");
    std::string line;
    while (std::getline(cgroups, line)) {
        auto first = line.find(':');
        auto second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        const bool wanted = controller.empty() ? line.compare(0, first, "0") == 0 && controllers.empty()
                                               : list_holds(controllers, controller);
        if (wanted) {
            return path;
        }
    }
    return std::nullopt;
}

// The folder of this process's cgroup under a mount: the mount shows the hierarchy from `root` down.
std::optional<fs::path> folder_in(const Mount& mount, const std::string& path) {
    fs::path relative = fs::path(path).lexically_relative(mount.root);
    if (relative.empty() || *relative.begin() == "..") return std::nullopt;  // our cgroup is not visible here
    fs::path folder = (mount.point / relative).lexically_normal();
    std::error_code error;
    if (!fs::is_directory(folder, error)) return std::nullopt;
    return folder;
}

std::optional<fs::path> v1_folder(std::string_view controller) {
    auto mount = find_mount("cgroup", controller);
    auto path = own_path(controller);
    if (!mount || !path) return std::nullopt;
    auto folder = folder_in(*mount, *path);
    if (!folder || ::access(folder->c_str(), W_OK) != 0) return std::nullopt;
    return folder;
}

std::vector<int> parse_pids(const std::string& text) {
    std::vector<int> pids;
    const char* cursor = text.c_str();
    char* end = nullptr;
    for (long pid = std::strtol(cursor, &end, 10); end != cursor; pid = std::strtol(cursor, &end, 10)) {
        pids.push_back(static_cast<int>(pid));
        cursor = end;
    }
    return pids;
}

// Every cgroup.procs below `folder` (inclusive).
void collect_members(const fs::path& folder, std::vector<int>& pids) {
    auto own = parse_pids(read_text(folder / "cgroup.procs"));
    pids.insert(pids.end(), own.begin(), own.end());
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        if (it->is_directory(error)) collect_members(it->path(), pids);
    }
}

// Removes a cgroup folder tree, deepest first (a cgroup folder holds only kernel files, removed with it).
// Nearly always the folder has no cgroup below it, so one rmdir does it; the folder is listed only when that
// fails.
void remove_tree(const fs::path& folder) {
    if (::rmdir(folder.c_str()) == 0 || errno == ENOENT) return;
    std::error_code error;
    std::vector<fs::path> below;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        if (it->is_directory(error)) below.push_back(it->path());
    }
    for (const auto& child : below) remove_tree(child);
    ::rmdir(folder.c_str());
}

}  // namespace

util::Result<CgroupPlace> find_own_cgroup_place() {
    auto mount = find_mount("cgroup2", "");
    if (!mount) return util::make_error("no cgroup v2 hierarchy is mounted (/proc/self/mountinfo)");
    auto path = own_path("");
    if (!path) return util::make_error("this process has no cgroup v2 path in /proc/self/cgroup");
    auto folder = folder_in(*mount, *path);
    if (!folder) {
        return util::make_error(fmt::format("this process's cgroup {} is not visible under the cgroup v2 mount {}",
                                            *path, mount->point.string()));
    }
    if (::access(folder->c_str(), W_OK) != 0) {
        return util::make_error(fmt::format("cannot create cgroups in {}: {}", folder->string(), std::strerror(errno)));
    }
    CgroupPlace place;
    place.unified = *folder;
    // On a pure v2 layout the v2 folder has the controllers (when delegated); on a hybrid one they are in v1.
    if (!fs::exists(place.unified / "memory.current")) place.memory = v1_folder("memory");
    if (!fs::exists(place.unified / "pids.current")) place.pids = v1_folder("pids");
    return place;
}

Cgroup::Cgroup(Cgroup&& other) noexcept
    : m_place(std::move(other.m_place)), m_procs_files(std::move(other.m_procs_files)) {
    other.m_procs_files.clear();
    other.m_place = {};
}

Cgroup& Cgroup::operator=(Cgroup&& other) noexcept {
    if (this != &other) {
        close_files();
        m_place = std::move(other.m_place);
        m_procs_files = std::move(other.m_procs_files);
        other.m_procs_files.clear();
        other.m_place = {};
    }
    return *this;
}

Cgroup::~Cgroup() {
    close_files();
}

void Cgroup::close_files() {
    for (int fd : m_procs_files) ::close(fd);
    m_procs_files.clear();
}

util::Result<Cgroup> Cgroup::create(const CgroupPlace& parent, const std::string& name) {
    Cgroup group;
    group.m_place.unified = parent.unified / name;
    if (::mkdir(group.m_place.unified.c_str(), 0755) != 0 && errno != EEXIST) {
        return util::make_error(
            fmt::format("cannot create cgroup {}: {}", group.m_place.unified.string(), std::strerror(errno)));
    }
    auto open_procs = [&](const fs::path& folder) {
        int fd = ::open((folder / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
        if (fd >= 0) group.m_procs_files.push_back(fd);
        return fd >= 0;
    };
    if (!open_procs(group.m_place.unified)) {
        int error = errno;
        ::rmdir(group.m_place.unified.c_str());
        return util::make_error(
            fmt::format("cannot open {}/cgroup.procs: {}", group.m_place.unified.string(), std::strerror(error)));
    }
    // The v1 folders only add figures: a failure there costs the figure, not the containment.
    for (auto [from, to] :
         {std::pair{&parent.memory, &group.m_place.memory}, std::pair{&parent.pids, &group.m_place.pids}}) {
        if (!*from) continue;
        fs::path folder = **from / name;
        if ((::mkdir(folder.c_str(), 0755) == 0 || errno == EEXIST) && open_procs(folder)) {
            *to = folder;
        } else {
            ::rmdir(folder.c_str());
        }
    }
    return group;
}

std::vector<int> Cgroup::members() const {
    std::vector<int> pids;
    if (!m_place.unified.empty()) collect_members(m_place.unified, pids);
    return pids;
}

bool Cgroup::populated() const {
    auto value = keyed_value(read_text(m_place.unified / "cgroup.events"), "populated");
    return value ? *value != 0 : !members().empty();
}

void Cgroup::signal_members(int signal) const {
    for (int pid : members()) ::kill(pid, signal);
}

void Cgroup::kill() const {
    if (write_text(m_place.unified / "cgroup.kill", "1")) return;
    // Before Linux 5.14: freeze the group so nothing forks between listing and killing, then kill each.
    const bool frozen = write_text(m_place.unified / "cgroup.freeze", "1");
    for (int round = 0; round < 100 && populated(); ++round) {
        signal_members(SIGKILL);
        if (!frozen)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        else
            break;
    }
    if (frozen) write_text(m_place.unified / "cgroup.freeze", "0");
}

bool Cgroup::wait_until_empty(std::chrono::milliseconds limit) const {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    auto pause = std::chrono::microseconds(50);
    while (populated()) {
        if (std::chrono::steady_clock::now() >= give_up) return false;
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
    }
    return true;
}

CgroupUsage Cgroup::usage() const {
    CgroupUsage usage;
    if (m_place.unified.empty()) return usage;
    if (auto usec = keyed_value(read_text(m_place.unified / "cpu.stat"), "usage_usec")) {
        usage.cpu_time = std::chrono::microseconds(*usec);
    }
    if (auto peak = read_number(m_place.unified / "memory.peak"))
        usage.peak_memory_bytes = *peak;
    else if (m_place.memory) {
        if (auto v1_peak = read_number(*m_place.memory / "memory.max_usage_in_bytes"))
            usage.peak_memory_bytes = *v1_peak;
    }
    if (auto peak = read_number(m_place.unified / "pids.peak"))
        usage.peak_tasks = static_cast<std::int64_t>(*peak);
    else if (m_place.pids) {
        if (auto v1_peak = read_number(*m_place.pids / "pids.peak"))
            usage.peak_tasks = static_cast<std::int64_t>(*v1_peak);
    }
    return usage;
}

bool Cgroup::remove() {
    close_files();
    bool removed = true;
    if (!m_place.unified.empty()) {
        // A greenlight run inside this one may have left cgroups of its own below this one.
        remove_tree(m_place.unified);
        removed = !fs::exists(m_place.unified);
    }
    if (m_place.memory) remove_tree(*m_place.memory);
    if (m_place.pids) remove_tree(*m_place.pids);
    if (removed) m_place = {};
    return removed;
}

std::vector<StrayProcess> destroy_cgroup_tree(const CgroupPlace& place) {
    std::vector<StrayProcess> found;
    std::vector<int> pids;
    collect_members(place.unified, pids);
    for (int pid : pids) found.push_back({pid, process_command_line(pid)});
    if (!pids.empty()) {
        // cgroup.kill on a folder kills its whole subtree.
        if (!write_text(place.unified / "cgroup.kill", "1")) {
            for (int pid : pids) ::kill(pid, SIGKILL);
        }
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (keyed_value(read_text(place.unified / "cgroup.events"), "populated").value_or(0) != 0 &&
               std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    remove_tree(place.unified);
    if (place.memory) remove_tree(*place.memory);
    if (place.pids) remove_tree(*place.pids);
    return found;
}

}  // namespace greenlight::process
