#include "greenlight/bundle/settle.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/verify.hpp"
#include "unit/bundle/bundle_test_support.hpp"

namespace greenlight::bundle {
namespace {

using testing::read_text;
using testing::TempDir;
using testing::write_text;
namespace fs = std::filesystem;

// Binds a unix socket at `path` and closes it: the socket file stays, as a crashed server leaves it.
void leave_socket(const fs::path& path) {
    int descriptor = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(descriptor, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    ASSERT_LT(path.string().size(), sizeof(address.sun_path));
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(::bind(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0) << std::strerror(errno);
    ::close(descriptor);
}

std::string what_at(const std::vector<SettledEntry>& settled, const std::string& path) {
    for (const SettledEntry& entry : settled) {
        if (entry.path == path) return entry.what;
    }
    return "(not settled)";
}

class Settle : public ::testing::Test {
protected:
    void SetUp() override {
        m_outputs = m_bundle.path() / "suites/odd/outputs";
        write_text(m_bundle.path() / "summary.json", "{}\n");
        write_text(m_outputs / "report.txt", "kept\n");
        fs::create_directories(m_outputs / "folder");
    }
    // Settles, then proves that the manifest can be written and verifies.
    std::vector<SettledEntry> settle_and_prove() {
        auto settled = settle_bundle_contents(m_bundle.path());
        EXPECT_TRUE(settled) << (settled ? "" : settled.message());
        auto manifest = write_manifest(m_bundle.path(), 1);
        EXPECT_TRUE(manifest) << (manifest ? "" : manifest.message());
        VerifyReport report = verify_bundle(m_bundle.path(), 1);
        EXPECT_TRUE(report.ok()) << format_verify_report(report, m_bundle.path());
        return settled ? *settled : std::vector<SettledEntry>{};
    }
    TempDir m_bundle;
    fs::path m_outputs;
};

TEST_F(Settle, SpecialFilesBecomeNotes) {
    ASSERT_EQ(::mkfifo((m_outputs / "pipe").c_str(), 0600), 0);
    leave_socket(m_outputs / "server.sock");
    bool made_device = ::mknod((m_outputs / "null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0;

    auto settled = settle_and_prove();
    EXPECT_EQ(what_at(settled, "suites/odd/outputs/pipe"), "a fifo");
    EXPECT_EQ(what_at(settled, "suites/odd/outputs/server.sock"), "a socket");
    EXPECT_NE(read_text(m_outputs / "pipe").find("greenlight: a fifo stood here"), std::string::npos);
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(m_outputs / "server.sock")));
    if (made_device) {
        EXPECT_EQ(what_at(settled, "suites/odd/outputs/null"), "a character device");
    }
    EXPECT_EQ(read_text(m_outputs / "report.txt"), "kept\n");
}

TEST_F(Settle, LinksInsideStayAndLinksThatLeaveBecomeNotes) {
    fs::create_symlink("report.txt", m_outputs / "latest");
    fs::create_symlink("folder", m_outputs / "folder-link");
    fs::create_symlink("../../../summary.json", m_outputs / "summary.json");
    fs::create_symlink("later.txt", m_outputs / "dangling");
    fs::create_symlink("/etc/passwd", m_outputs / "absolute");
    fs::create_symlink("../../../..", m_outputs / "escaping");
    fs::create_symlink("loop", m_outputs / "loop");
    fs::create_symlink("absolute", m_outputs / "through-absolute");

    auto settled = settle_and_prove();
    for (const char* kept : {"latest", "folder-link", "summary.json", "dangling"}) {
        EXPECT_TRUE(fs::is_symlink(fs::symlink_status(m_outputs / kept))) << kept;
        EXPECT_EQ(what_at(settled, std::string("suites/odd/outputs/") + kept), "(not settled)");
    }
    EXPECT_EQ(what_at(settled, "suites/odd/outputs/absolute"), "a symlink: a link to the absolute path /etc/passwd");
    EXPECT_EQ(what_at(settled, "suites/odd/outputs/escaping"),
              "a symlink: a link to ../../../.., which leads out of the bundle");
    EXPECT_EQ(what_at(settled, "suites/odd/outputs/loop"),
              "a symlink: a link to loop, which never ends (a loop of links)");
    // A link to a link that left now points at the note standing in for it: inside, so kept.
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(m_outputs / "through-absolute")));
    EXPECT_NE(read_text(m_outputs / "absolute").find("a link to the absolute path /etc/passwd"), std::string::npos);
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(m_outputs / "escaping")));
}

TEST_F(Settle, NamesAManifestCannotCarryAreRenamed) {
    write_text(m_outputs / "two\nlines.txt", "x");
    write_text(m_outputs / "latin1-\xe9.txt", "y");
    auto settled = settle_and_prove();
    EXPECT_EQ(read_text(m_outputs / "two%0Alines.txt"), "x");
    EXPECT_EQ(read_text(m_outputs / "latin1-%E9.txt"), "y");
    EXPECT_EQ(settled.size(), 2u);
}

TEST_F(Settle, UnreadableFilesAreMadeReadableOrNoted) {
    write_text(m_outputs / "secret.txt", "mine\n");
    fs::permissions(m_outputs / "secret.txt", fs::perms::none);
    auto settled = settle_and_prove();
    // greenlight owns what its suites wrote, so it can let itself read it; the content is kept.
    EXPECT_EQ(read_text(m_outputs / "secret.txt"), "mine\n");
    EXPECT_TRUE(settled.empty());
}

TEST_F(Settle, APlainBundleIsLeftAlone) {
    auto settled = settle_and_prove();
    EXPECT_TRUE(settled.empty());
}

}  // namespace
}  // namespace greenlight::bundle
