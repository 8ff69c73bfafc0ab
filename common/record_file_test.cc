// --json_out's file: refused at once where it cannot be written, written whole or not at all.
#include "common/record_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

void ExpectRefused(const std::string& path, const std::string& phrase) {
  absl::StatusOr<std::unique_ptr<RecordFile>> file = RecordFile::Open(path);
  ASSERT_FALSE(file.ok()) << path;
  const std::string message(file.status().message());
  EXPECT_THAT(message, HasSubstr("cannot write --json_out=" + path));
  EXPECT_THAT(message, HasSubstr(phrase));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
}

TEST(RecordFile, WritesAndReplaces) {
  const std::string path = TmpPath("run.json");
  std::ofstream(path) << "old record\n";
  absl::StatusOr<std::unique_ptr<RecordFile>> file = RecordFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  const std::string temporary = (*file)->temporary_path();
  EXPECT_TRUE(Exists(temporary));
  EXPECT_EQ(Contents(path), "old record\n");  // untouched until the record is complete
  ASSERT_TRUE((*file)->Commit("{\"a\":1}\n").ok());
  EXPECT_EQ(Contents(path), "{\"a\":1}\n");  // exactly the record: the reserved room is gone
  EXPECT_FALSE(Exists(temporary));
}

TEST(RecordFile, NewFileInCurrentDirectory) {
  ASSERT_EQ(chdir(TmpPath("").c_str()), 0);
  absl::StatusOr<std::unique_ptr<RecordFile>> file = RecordFile::Open("here.json");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Commit("x").ok());
  EXPECT_EQ(Contents(TmpPath("here.json")), "x");
}

// A run that fails before its record leaves no trace, and the old file as it was.
TEST(RecordFile, AbandonedLeavesNothing) {
  const std::string path = TmpPath("kept.json");
  std::ofstream(path) << "previous\n";
  std::string temporary;
  {
    absl::StatusOr<std::unique_ptr<RecordFile>> file = RecordFile::Open(path);
    ASSERT_TRUE(file.ok()) << file.status();
    temporary = (*file)->temporary_path();
  }
  EXPECT_FALSE(Exists(temporary));
  EXPECT_EQ(Contents(path), "previous\n");

  const std::string fresh = TmpPath("never_written.json");
  { ASSERT_TRUE(RecordFile::Open(fresh).ok()); }
  EXPECT_FALSE(Exists(fresh));
}

TEST(RecordFile, RefusesWhatCannotBeWritten) {
  ExpectRefused(TmpPath("no/such/dir/run.json"), "no directory " + TmpPath("no/such/dir"));
  ExpectRefused(TmpPath(""), "give the path of a file");  // ends with '/'
  const std::string dir = TmpPath("a_dir");
  mkdir(dir.c_str(), 0755);
  ExpectRefused(dir, "it is a directory");
  ExpectRefused("/dev/full", "it is a character device");
  ExpectRefused("/dev/null", "it is a character device");
  // /proc lets no file be created, even by root.
  ExpectRefused("/proc/version", "cannot create a file in /proc");
}

TEST(RecordFile, RefusesReadOnlyDirectory) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  const std::string dir = TmpPath("read_only");
  mkdir(dir.c_str(), 0755);
  ASSERT_EQ(chmod(dir.c_str(), 0555), 0);
  ExpectRefused(dir + "/run.json", "Permission denied");
  chmod(dir.c_str(), 0755);
}

}  // namespace
}  // namespace common
