#include "common/record_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace common {
namespace {

// Records are a few kilobytes; reserving this much up front finds a full disk before training.
constexpr off_t kReserve = 64 * 1024;

absl::Status Error(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("cannot write --json_out=", path, ": ", problem));
}

absl::Status ErrnoError(const std::string& path, int error) {
  return Error(path, std::strerror(error));
}

const char* Kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  return "not a regular file";
}

}  // namespace

absl::StatusOr<std::unique_ptr<RecordFile>> RecordFile::Open(const std::string& path) {
  if (path.empty() || path.back() == '/') return Error(path, "give the path of a file");
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Error(path, absl::StrCat("it is ", Kind(st.st_mode), "; give the path of a file"));
  }
  // Beside the target, hidden: "dir/.run.json.1234.tmp".
  const size_t slash = path.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  std::string temporary =
      absl::StrCat(path.substr(0, base), ".", path.substr(base), ".", getpid(), ".tmp");
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    const std::string dir = base == 0 ? "." : base == 1 ? "/" : path.substr(0, base - 1);
    if (stat(dir.c_str(), &st) != 0) return Error(path, absl::StrCat("no directory ", dir));
    return Error(path,
                 absl::StrCat("cannot create a file in ", dir, " (", std::strerror(error), ")"));
  }
  std::unique_ptr<RecordFile> file(new RecordFile(path, std::move(temporary), fd));
  const int reserved = posix_fallocate(fd, 0, kReserve);
  if (reserved == ENOSPC || reserved == EDQUOT) return ErrnoError(path, reserved);
  return file;
}

RecordFile::~RecordFile() {
  if (fd_ >= 0) {
    close(fd_);
    unlink(temporary_.c_str());
  }
}

absl::Status RecordFile::Commit(absl::string_view text) {
  if (fd_ < 0) return Error(path_, "already written");
  const int fd = fd_;
  if (ftruncate(fd, 0) != 0) return ErrnoError(path_, errno);
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(path_, errno);
    done += static_cast<size_t>(n);
  }
  fd_ = -1;
  if (close(fd) != 0 || rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    unlink(temporary_.c_str());
    return ErrnoError(path_, error);
  }
  return absl::OkStatus();
}

}  // namespace common
