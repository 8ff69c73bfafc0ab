// ParseHidden, ValidateConfig and ConfigFromFlags: good values pass, every bad one is refused
// with a one-line message naming its flag.
#include "common/flags.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(std::string, dataset);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(int32_t, epochs);
ABSL_DECLARE_FLAG(int32_t, batch_size);
ABSL_DECLARE_FLAG(double, learning_rate);
ABSL_DECLARE_FLAG(std::string, hidden);
ABSL_DECLARE_FLAG(uint64_t, seed);
ABSL_DECLARE_FLAG(int32_t, limit);
ABSL_DECLARE_FLAG(std::string, json_out);
ABSL_DECLARE_FLAG(std::string, gemm);
ABSL_DECLARE_FLAG(int32_t, threads);
ABSL_DECLARE_FLAG(bool, profile);

namespace common {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

void ExpectInvalid(const absl::Status& status, const std::string& flag) {
  ASSERT_FALSE(status.ok()) << "expected an error naming " << flag;
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(flag));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\n")));
}

// ---- ParseHidden ------------------------------------------------------------------------------

TEST(ParseHidden, OneWidth) {
  absl::StatusOr<std::vector<int>> hidden = ParseHidden("128");
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  EXPECT_THAT(*hidden, ElementsAre(128));
}

TEST(ParseHidden, SeveralWidths) {
  absl::StatusOr<std::vector<int>> hidden = ParseHidden("256,128");
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  EXPECT_THAT(*hidden, ElementsAre(256, 128));

  hidden = ParseHidden("1,65536,7");
  ASSERT_TRUE(hidden.ok()) << hidden.status();
  EXPECT_THAT(*hidden, ElementsAre(1, 65536, 7));
}

TEST(ParseHidden, RefusesBadWidths) {
  for (const char* text : {"", "0", "-5", "abc", "12,,3", "1.5", "70000", "65537", "128,", ",128",
                           "128,0", "99999999999999999999"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<std::vector<int>> hidden = ParseHidden(text);
    ExpectInvalid(hidden.status(), "--hidden");
    EXPECT_THAT(std::string(hidden.status().message()), HasSubstr(std::string("--hidden=") + text));
  }
}

// ---- ValidateConfig ---------------------------------------------------------------------------

TEST(ValidateConfig, DefaultIsValid) {
  EXPECT_TRUE(ValidateConfig(TrainConfig{}).ok()) << ValidateConfig(TrainConfig{});
}

TEST(ValidateConfig, GoodValues) {
  TrainConfig c;
  c.epochs = 1;
  c.batch_size = 1;
  c.learning_rate = 1e-6;
  c.limit = 1;
  c.hidden = {256, 128};
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
  c.batch_size = 100;
  c.limit = 100;  // a batch as large as the limit is fine
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
}

TEST(ValidateConfig, Epochs) {
  for (int epochs : {0, -1}) {
    TrainConfig c;
    c.epochs = epochs;
    ExpectInvalid(ValidateConfig(c), "--epochs=" + std::to_string(epochs));
  }
}

TEST(ValidateConfig, BatchSize) {
  for (int batch : {0, -3}) {
    TrainConfig c;
    c.batch_size = batch;
    ExpectInvalid(ValidateConfig(c), "--batch_size=" + std::to_string(batch));
  }
}

TEST(ValidateConfig, LearningRate) {
  for (double rate :
       {0.0, -0.0, -0.1, std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(rate);
    TrainConfig c;
    c.learning_rate = rate;
    ExpectInvalid(ValidateConfig(c), "--learning_rate");
  }
}

// The networks compute in float: the rate must be a normal float, neither 0 there nor infinite.
TEST(ValidateConfig, LearningRateMustBeANormalFloat) {
  for (double rate : {1e-46, 1e-39, 1e39, 3.5e38}) {
    SCOPED_TRACE(rate);
    TrainConfig c;
    c.learning_rate = rate;
    ExpectInvalid(ValidateConfig(c), "--learning_rate");
    EXPECT_THAT(std::string(ValidateConfig(c).message()), HasSubstr("normal float"));
  }
  for (double rate : {double{FLT_MIN}, 1e-6, 5.0, double{FLT_MAX}}) {
    TrainConfig c;
    c.learning_rate = rate;
    EXPECT_TRUE(ValidateConfig(c).ok()) << rate;
  }
}

TEST(ValidateConfig, Limit) {
  TrainConfig c;
  c.limit = -1;
  ExpectInvalid(ValidateConfig(c), "--limit=-1");
}

TEST(ValidateConfig, BatchLargerThanLimit) {
  TrainConfig c;
  c.batch_size = 64;
  c.limit = 10;
  const absl::Status status = ValidateConfig(c);
  ExpectInvalid(status, "--batch_size=64");
  EXPECT_THAT(std::string(status.message()), HasSubstr("--limit=10"));
}

TEST(ValidateConfig, NoHiddenLayer) {
  TrainConfig c;
  c.hidden.clear();
  ExpectInvalid(ValidateConfig(c), "--hidden");
}

// A config built in code, not from flags, gets the width check too.
TEST(ValidateConfig, HiddenWidthOutOfRange) {
  for (int width : {0, -5, 70000}) {
    TrainConfig c;
    c.hidden = {128, width};
    ExpectInvalid(ValidateConfig(c), "--hidden");
  }
}

// ---- ConfigFromFlags --------------------------------------------------------------------------

class ConfigFromFlagsTest : public ::testing::Test {
 private:
  absl::FlagSaver saver_;  // every test starts from, and leaves, the default flags
};

TEST_F(ConfigFromFlagsTest, DefaultsMatchTrainConfig) {
  absl::StatusOr<TrainConfig> c = ConfigFromFlags();
  ASSERT_TRUE(c.ok()) << c.status();
  const TrainConfig d;
  EXPECT_EQ(c->dataset, d.dataset);
  EXPECT_EQ(c->data_dir, d.data_dir);
  EXPECT_EQ(c->epochs, d.epochs);
  EXPECT_EQ(c->batch_size, d.batch_size);
  EXPECT_EQ(c->learning_rate, d.learning_rate);
  EXPECT_EQ(c->hidden, d.hidden);
  EXPECT_EQ(c->seed, d.seed);
  EXPECT_EQ(c->limit, d.limit);
  EXPECT_EQ(c->json_out, d.json_out);
}

TEST_F(ConfigFromFlagsTest, ReadsEveryFlag) {
  absl::SetFlag(&FLAGS_dataset, "fashion");
  absl::SetFlag(&FLAGS_data_dir, "/data/mnist");
  absl::SetFlag(&FLAGS_epochs, 3);
  absl::SetFlag(&FLAGS_batch_size, 32);
  absl::SetFlag(&FLAGS_learning_rate, 0.05);
  absl::SetFlag(&FLAGS_hidden, "256,128");
  absl::SetFlag(&FLAGS_seed, uint64_t{42});
  absl::SetFlag(&FLAGS_limit, 1000);
  absl::SetFlag(&FLAGS_json_out, "/tmp/out.json");
  absl::StatusOr<TrainConfig> c = ConfigFromFlags();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dataset, "fashion");
  EXPECT_EQ(c->data_dir, "/data/mnist");
  EXPECT_EQ(c->epochs, 3);
  EXPECT_EQ(c->batch_size, 32);
  EXPECT_EQ(c->learning_rate, 0.05);
  EXPECT_THAT(c->hidden, ElementsAre(256, 128));
  EXPECT_EQ(c->seed, 42u);
  EXPECT_EQ(c->limit, 1000);
  EXPECT_EQ(c->json_out, "/tmp/out.json");
}

TEST_F(ConfigFromFlagsTest, FlagSaverRestoredDefaults) {
  // Runs after ReadsEveryFlag in declaration order; the saver must have put everything back.
  EXPECT_EQ(absl::GetFlag(FLAGS_epochs), 5);
  EXPECT_EQ(absl::GetFlag(FLAGS_hidden), "128");
  EXPECT_EQ(absl::GetFlag(FLAGS_dataset), "mnist");
}

TEST_F(ConfigFromFlagsTest, RelativePathsAreFromWhereBazelRunStarted) {
  ASSERT_EQ(setenv("BUILD_WORKING_DIRECTORY", "/home/me/project", 1), 0);
  absl::SetFlag(&FLAGS_data_dir, "data/mnist");
  absl::SetFlag(&FLAGS_json_out, "out.json");
  absl::StatusOr<TrainConfig> c = ConfigFromFlags();
  EXPECT_TRUE(c.ok()) << c.status();
  if (c.ok()) {
    EXPECT_EQ(c->data_dir, "/home/me/project/data/mnist");
    EXPECT_EQ(c->json_out, "/home/me/project/out.json");
  }

  absl::SetFlag(&FLAGS_data_dir, "/abs/mnist");  // absolute paths stay as they are
  absl::SetFlag(&FLAGS_json_out, "");            // and so does "not given"
  c = ConfigFromFlags();
  EXPECT_TRUE(c.ok()) << c.status();
  if (c.ok()) {
    EXPECT_EQ(c->data_dir, "/abs/mnist");
    EXPECT_EQ(c->json_out, "");
  }
  unsetenv("BUILD_WORKING_DIRECTORY");

  absl::SetFlag(&FLAGS_data_dir, "data/mnist");  // outside `bazel run`, as typed
  c = ConfigFromFlags();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->data_dir, "data/mnist");
}

TEST_F(ConfigFromFlagsTest, Epochs) {
  absl::SetFlag(&FLAGS_epochs, 0);
  ExpectInvalid(ConfigFromFlags().status(), "--epochs=0");
}

TEST_F(ConfigFromFlagsTest, BatchSize) {
  absl::SetFlag(&FLAGS_batch_size, -3);
  ExpectInvalid(ConfigFromFlags().status(), "--batch_size=-3");
}

TEST_F(ConfigFromFlagsTest, LearningRate) {
  absl::SetFlag(&FLAGS_learning_rate, std::nan(""));
  ExpectInvalid(ConfigFromFlags().status(), "--learning_rate");
  absl::SetFlag(&FLAGS_learning_rate, 0.0);
  ExpectInvalid(ConfigFromFlags().status(), "--learning_rate");
}

TEST_F(ConfigFromFlagsTest, Limit) {
  absl::SetFlag(&FLAGS_limit, -1);
  ExpectInvalid(ConfigFromFlags().status(), "--limit=-1");
  absl::SetFlag(&FLAGS_limit, 8);  // smaller than the default batch of 64
  ExpectInvalid(ConfigFromFlags().status(), "--limit=8");
}

TEST_F(ConfigFromFlagsTest, Hidden) {
  for (const char* text : {"", "0", "abc", "12,,3", "70000"}) {
    SCOPED_TRACE(text);
    absl::SetFlag(&FLAGS_hidden, text);
    ExpectInvalid(ConfigFromFlags().status(), "--hidden");
  }
}

// ---- ParseFlags -------------------------------------------------------------------------------

class ParseFlagsTest : public ::testing::Test {
 protected:
  absl::Status Parse(const std::vector<std::string>& args) { return ParseFlags(args, &help_); }
  void ExpectError(const std::vector<std::string>& args, const std::string& message) {
    const absl::Status status = Parse(args);
    ASSERT_FALSE(status.ok()) << "accepted: " << testing::PrintToString(args);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), message);
  }
  bool help_ = false;

 private:
  absl::FlagSaver saver_;
};

TEST_F(ParseFlagsTest, EveryForm) {
  ASSERT_TRUE(Parse({"--epochs=3", "--hidden", "64,32", "-seed=7", "-limit", "640",
                     "--learning_rate=0.05", "--dataset=fashion", "--json_out="})
                  .ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_epochs), 3);
  EXPECT_EQ(absl::GetFlag(FLAGS_hidden), "64,32");
  EXPECT_EQ(absl::GetFlag(FLAGS_seed), 7u);
  EXPECT_EQ(absl::GetFlag(FLAGS_limit), 640);
  EXPECT_EQ(absl::GetFlag(FLAGS_learning_rate), 0.05);
  EXPECT_EQ(absl::GetFlag(FLAGS_dataset), "fashion");
  EXPECT_FALSE(help_);
  ASSERT_TRUE(Parse({}).ok());
  ASSERT_TRUE(Parse({"--epochs=2", "--"}).ok());  // a final "--" ends the flags
  EXPECT_EQ(absl::GetFlag(FLAGS_epochs), 2);
  ASSERT_TRUE(Parse({"--epochs", "-4"}).ok());  // taken as the value, refused by ValidateConfig
  EXPECT_EQ(absl::GetFlag(FLAGS_epochs), -4);
}

TEST_F(ParseFlagsTest, Help) {
  for (const char* arg : {"--help", "-h", "--helpfull", "-help", "--helpshort"}) {
    ASSERT_TRUE(Parse({"--epochs=2", arg}).ok()) << arg;
    EXPECT_TRUE(help_) << arg;
  }
}

// One mistake, one line, naming the argument and showing the right form.
TEST_F(ParseFlagsTest, FlagWithoutValue) {
  ExpectError({"--epochs"}, "--epochs needs a value, e.g. --epochs=5");
  ExpectError({"--epochs", "--seed=2"}, "--epochs needs a value, e.g. --epochs=5");
  ExpectError({"--json_out"}, "--json_out needs a value, e.g. --json_out=VALUE");
  ExpectError({"--learning_rate"}, "--learning_rate needs a value, e.g. --learning_rate=0.1");
}

TEST_F(ParseFlagsTest, BadValues) {
  ExpectError({"--epochs=abc"},
              "--epochs=abc: expected a whole number of at most 2147483647, e.g. --epochs=5");
  ExpectError({"--epochs="},
              "--epochs=: expected a whole number of at most 2147483647, e.g. --epochs=5");
  ExpectError({"--epochs=99999999999"},
              "--epochs=99999999999: expected a whole number of at most 2147483647, e.g. "
              "--epochs=5");
  ExpectError({"--seed=-1"}, "--seed=-1: expected a whole number from 0 up, e.g. --seed=1");
  ExpectError({"--learning_rate=fast"},
              "--learning_rate=fast: expected a number, e.g. --learning_rate=0.1");
  ExpectError({"--profile=maybe"}, "--profile=maybe: expected true or false, e.g. --profile=false");
}

// A bool flag needs no value; --noNAME turns it off.
TEST_F(ParseFlagsTest, BoolFlags) {
  ASSERT_TRUE(Parse({"--profile"}).ok());
  EXPECT_TRUE(absl::GetFlag(FLAGS_profile));
  ASSERT_TRUE(Parse({"--noprofile"}).ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_profile));
  ASSERT_TRUE(Parse({"--profile=true", "--epochs", "3"}).ok());
  EXPECT_TRUE(absl::GetFlag(FLAGS_profile));
  EXPECT_EQ(absl::GetFlag(FLAGS_epochs), 3);
  ExpectError({"--noprofile=true"}, "unknown flag '--noprofile=true': see --help for the flags");
}

TEST_F(ParseFlagsTest, UnknownFlagsAndStrayArguments) {
  ExpectError({"--no_such_flag=1"}, "unknown flag '--no_such_flag=1': see --help for the flags");
  ExpectError({"--nodataset"}, "unknown flag '--nodataset': see --help for the flags");
  // Abseil's own flags are no trainer flags.
  ExpectError({"--flagfile=/etc/passwd"},
              "unknown flag '--flagfile=/etc/passwd': see --help for the flags");
  ExpectError({"--fromenv=epochs"}, "unknown flag '--fromenv=epochs': see --help for the flags");
  ExpectError({"stray"}, "unexpected argument 'stray': options are --flag=value");
  ExpectError({"-"}, "unexpected argument '-': options are --flag=value");
  ExpectError({"--epochs=1", "--", "x"}, "unexpected argument 'x': options are --flag=value");
  ExpectError({"--=5"}, "unknown flag '--=5': see --help for the flags");
}

TEST_F(ParseFlagsTest, FirstMistakeOnly) {
  ExpectError({"--epochs=x", "--batch_size=y", "--zzz"},
              "--epochs=x: expected a whole number of at most 2147483647, e.g. --epochs=5");
}

// ---- FlagsHelp, Printable ---------------------------------------------------------------------

TEST(FlagsHelp, ListsEveryTrainerFlagWithItsDefault) {
  const std::string help = FlagsHelp("usage line");
  EXPECT_EQ(help.rfind("usage line\n", 0), 0u);
  int listed = 0;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->Filename().find("common/flags.cc") == std::string::npos) continue;
    const std::string value = flag->DefaultValue();
    EXPECT_THAT(help,
                HasSubstr("  --" + std::string(name) + "=" + (value.empty() ? "\"\"" : value)));
    EXPECT_THAT(help, HasSubstr(flag->Help()));
    ++listed;
  }
  EXPECT_EQ(listed, 12);
  EXPECT_THAT(help, HasSubstr("--epochs=5 "));
  EXPECT_THAT(help, HasSubstr("--learning_rate=0.1 "));
  EXPECT_THAT(help, Not(HasSubstr("flagfile")));
}

TEST(Printable, EscapesControlCharactersOnly) {
  EXPECT_EQ(Printable("a\nb"), "a\\nb");
  EXPECT_EQ(Printable("tab\there\r"), "tab\\there\\r");
  EXPECT_EQ(Printable("\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
  EXPECT_EQ(Printable(std::string("nul\0!", 5)), "nul\\x00!");
  EXPECT_EQ(Printable("caf\xc3\xa9 \"quoted\" back\\slash"), "caf\xc3\xa9 \"quoted\" back\\slash");
}

}  // namespace
}  // namespace common
