#include <gtest/gtest.h>

#include <fstream>

#include "greenlight/bridge/jcl_template.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::bridge {
namespace {

namespace fs = std::filesystem;

class JclTemplateTest : public ::testing::Test {
protected:
    void add(const std::string& name, const std::string& content) {
        std::ofstream(temporary.path() / name, std::ios::binary) << content;
        payload.files.push_back({name, temporary.path() / name, std::string(64, '0'), content.size()});
    }
    TemplateValues values() { return {"run-7", "GL_CORR_A1", std::string(64, 'f'), 1, &payload}; }

    util::TemporaryDirectory temporary{"jcl-template-test"};
    Payload payload;
};

TEST_F(JclTemplateTest, PlainValuesAndPaths) {
    add("script.json", "{}\n");
    auto rendered = render_jcl_template(
        "//SMOKE JOB (A),'${run_id}'\n//* ${correlator} ${manifest_sha256} ${attempt}\n"
        "//S1 EXEC PGM=BPXBATCH,PARM='SH cat ${payload_path:script.json}'\n//* $$ and $${HOME} stay\n",
        values(), "smoke.jcl");
    ASSERT_TRUE(rendered) << rendered.message();
    EXPECT_EQ(*rendered, "//SMOKE JOB (A),'run-7'\n//* GL_CORR_A1 " + std::string(64, 'f') + " 1\n" +
                             "//S1 EXEC PGM=BPXBATCH,PARM='SH cat " + (temporary.path() / "script.json").string() +
                             "'\n//* $$ and ${HOME} stay\n");
}

TEST_F(JclTemplateTest, InstreamAndBase64ReplaceTheirLine) {
    add("scenario.json", "{\n  \"a\": 1\n}\n");
    add("blob.bin", std::string("\x00\xff\x10 binary", 10) + std::string(100, 'x'));
    auto rendered = render_jcl_template(
        "//IN DD *\n${instream:scenario.json}\n/*\n//B64 DD DATA\n  ${base64:blob.bin}\n/*\n", values(), "smoke.jcl");
    ASSERT_TRUE(rendered) << rendered.message();
    EXPECT_TRUE(rendered->starts_with("//IN DD *\n{\n  \"a\": 1\n}\n/*\n//B64 DD DATA\n")) << *rendered;
    const std::string encoded = base64_lines(std::string("\x00\xff\x10 binary", 10) + std::string(100, 'x'));
    EXPECT_NE(rendered->find(encoded + "/*\n"), std::string::npos);
}

TEST(Base64Lines, Rfc4648InLinesOf76) {
    EXPECT_EQ(base64_lines(""), "");
    EXPECT_EQ(base64_lines("f"), "Zg==\n");
    EXPECT_EQ(base64_lines("fo"), "Zm8=\n");
    EXPECT_EQ(base64_lines("foobar"), "Zm9vYmFy\n");
    const std::string long_text = base64_lines(std::string(200, 'a'));
    size_t start = 0;
    int lines = 0;
    while (start < long_text.size()) {
        const size_t end = long_text.find('\n', start);
        EXPECT_LE(end - start, 76u);
        start = end + 1;
        ++lines;
    }
    EXPECT_EQ(lines, 4);  // 268 characters
}

TEST_F(JclTemplateTest, ErrorsNameTheTemplateLine) {
    add("scenario.json", "{}\n");
    auto unknown = render_jcl_template("//A JOB\n//* ${runid}\n", values(), "smoke.jcl");
    ASSERT_FALSE(unknown);
    EXPECT_TRUE(unknown.message().starts_with("smoke.jcl:2: unknown placeholder ${runid}")) << unknown.message();

    auto not_listed = render_jcl_template("//A JOB\n//\n${instream:other.json}\n", values(), "smoke.jcl");
    ASSERT_FALSE(not_listed);
    EXPECT_TRUE(not_listed.message().starts_with("smoke.jcl:3: ")) << not_listed.message();
    EXPECT_NE(not_listed.message().find("'other.json' is not a file of the payload"), std::string::npos);

    auto unclosed = render_jcl_template("${run_id\n", values(), "t.jcl");
    ASSERT_FALSE(unclosed);
    EXPECT_TRUE(unclosed.message().starts_with("t.jcl:1: ")) << unclosed.message();

    auto not_alone = render_jcl_template("//X DD * ${instream:scenario.json}\n", values(), "t.jcl");
    ASSERT_FALSE(not_alone);
    EXPECT_NE(not_alone.message().find("must stand alone"), std::string::npos);
}

TEST_F(JclTemplateTest, InstreamRefusesLongLinesAndDelimiters) {
    add("wide.txt", "short\n" + std::string(81, 'w') + "\n");
    add("delim.txt", "ok\n/* ends the data\n");
    add("fits.txt", std::string(80, 'w') + "\n");
    auto wide = render_jcl_template("${instream:wide.txt}\n", values(), "t.jcl");
    ASSERT_FALSE(wide);
    EXPECT_NE(wide.message().find("wide.txt line 2 has 81 columns"), std::string::npos) << wide.message();
    auto delimiter = render_jcl_template("\n${instream:delim.txt}\n", values(), "t.jcl");
    ASSERT_FALSE(delimiter);
    EXPECT_TRUE(delimiter.message().starts_with("t.jcl:2: ")) << delimiter.message();
    EXPECT_NE(delimiter.message().find("line 2 starts with '/*'"), std::string::npos);
    EXPECT_TRUE(render_jcl_template("${instream:fits.txt}\n", values(), "t.jcl"));
}

}  // namespace
}  // namespace greenlight::bridge
