#include "common/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace common {
namespace {

constexpr size_t kInputBuffer = size_t{1} << 16;
// deflate expands at most 1032:1 (a run of 258 bytes per 2-bit code, in 1-bit-cheaper blocks).
constexpr uint64_t kMaxDeflateRatio = 1033;

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

absl::StatusOr<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever, before fstat could
  // tell it is not a file.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const std::string message = absl::StrCat(path, ": cannot open (", std::strerror(errno), ")");
    return errno == ENOENT ? absl::NotFoundError(message) : absl::InvalidArgumentError(message);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const std::string message = absl::StrCat(path, ": cannot stat (", std::strerror(errno), ")");
    close(fd);
    return absl::InvalidArgumentError(message);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": is ", FileKind(st.st_mode), ", not a regular file: give the path of an IDX file"));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::unique_ptr<InputFile> file(new InputFile(fd, path, static_cast<uint64_t>(st.st_size)));
  uint8_t magic[2] = {0, 0};
  if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    file->gzip_ = true;
    // 15 + 16: a 32 KiB window, and a gzip wrapper (header and trailer checked), not zlib's.
    if (inflateInit2(&file->z_, 15 + 16) != Z_OK) {
      return absl::ResourceExhaustedError(absl::StrCat(path, ": out of memory for zlib"));
    }
    file->z_ready_ = true;
    file->in_.resize(kInputBuffer);
    file->z_.next_in = file->in_.data();
    file->z_.avail_in = 0;
  }
  return file;
}

InputFile::~InputFile() {
  if (z_ready_) inflateEnd(&z_);
  close(fd_);
}

uint64_t InputFile::MaxContentSize() const {
  if (!gzip_) return file_size_;
  if (file_size_ > std::numeric_limits<uint64_t>::max() / kMaxDeflateRatio) {
    return std::numeric_limits<uint64_t>::max();
  }
  return file_size_ * kMaxDeflateRatio;
}

absl::Status InputFile::Error(absl::string_view problem) const {
  return absl::InvalidArgumentError(absl::StrCat(path_, ": ", problem));
}

absl::Status InputFile::Truncated(absl::string_view what) const {
  return Error(
      absl::StrCat("file ends in the middle of the ", what, ": truncated, download it again"));
}

absl::Status InputFile::ReadRaw(uint8_t* out, size_t size, size_t* got) {
  *got = 0;
  while (*got < size) {
    const ssize_t n = read(fd_, out + *got, std::min<size_t>(size - *got, size_t{1} << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(absl::StrCat("cannot read (", std::strerror(errno), ")"));
    if (n == 0) break;
    *got += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Makes sure at least `at_least` compressed bytes are buffered, unless the file ends first.
absl::Status InputFile::Fill(size_t at_least) {
  if (z_.avail_in >= at_least || eof_) return absl::OkStatus();
  std::memmove(in_.data(), z_.next_in, z_.avail_in);
  z_.next_in = in_.data();
  size_t got = 0;
  absl::Status status = ReadRaw(in_.data() + z_.avail_in, in_.size() - z_.avail_in, &got);
  if (!status.ok()) return status;
  if (got < in_.size() - z_.avail_in) eof_ = true;
  z_.avail_in += static_cast<uInt>(got);
  consumed_ += got;
  return absl::OkStatus();
}

// After a member's end: another member follows (found), the file ends (not found), or there are
// bytes that are no gzip member (an error).
absl::Status InputFile::StartNextMember(bool* found) {
  *found = false;
  absl::Status status = Fill(2);
  if (!status.ok()) return status;
  if (z_.avail_in == 0) return absl::OkStatus();
  if (z_.avail_in < 2 || z_.next_in[0] != 0x1f || z_.next_in[1] != 0x8b) {
    const uint64_t left = file_size_ - std::min(file_size_, consumed_ - z_.avail_in);
    return Error(absl::StrCat("has ", left,
                              " bytes after the end of its gzip stream: not a valid gzip file, "
                              "download it again"));
  }
  inflateReset(&z_);
  member_ended_ = false;
  *found = true;
  return absl::OkStatus();
}

absl::Status InputFile::InflateUpTo(uint8_t* out, size_t size, size_t* produced, bool* clean_end) {
  *produced = 0;
  *clean_end = false;
  while (*produced < size) {
    if (member_ended_) {
      bool found = false;
      absl::Status status = StartNextMember(&found);
      if (!status.ok()) return status;
      if (!found) {
        *clean_end = true;
        return absl::OkStatus();
      }
    }
    if (z_.avail_in == 0) {
      absl::Status status = Fill(1);
      if (!status.ok()) return status;
    }
    const uInt chunk = static_cast<uInt>(std::min<size_t>(size - *produced, size_t{1} << 30));
    z_.next_out = out + *produced;
    z_.avail_out = chunk;
    const int ret = inflate(&z_, Z_NO_FLUSH);
    *produced += chunk - z_.avail_out;
    if (ret == Z_STREAM_END) {  // the member's CRC-32 and length matched
      member_ended_ = true;
    } else if (ret == Z_BUF_ERROR) {                          // no progress possible
      if (z_.avail_in == 0 && eof_) return absl::OkStatus();  // cut inside a member
      if (z_.avail_in != 0)
        return Error("cannot decompress: the file is corrupt, download it again");
    } else if (ret == Z_MEM_ERROR) {
      return absl::ResourceExhaustedError(absl::StrCat(path_, ": out of memory in zlib"));
    } else if (ret != Z_OK) {  // Z_DATA_ERROR: bad header, deflate data, CRC-32 or length
      return Error(absl::StrCat("cannot decompress (", z_.msg != nullptr ? z_.msg : "bad data",
                                "): the file is corrupt, download it again"));
    }
  }
  return absl::OkStatus();
}

absl::Status InputFile::Read(void* out, size_t size, absl::string_view what) {
  size_t got = 0;
  bool clean_end = false;
  absl::Status status = gzip_ ? InflateUpTo(static_cast<uint8_t*>(out), size, &got, &clean_end)
                              : ReadRaw(static_cast<uint8_t*>(out), size, &got);
  if (!status.ok()) return status;
  return got == size ? absl::OkStatus() : Truncated(what);
}

absl::Status InputFile::Skip(uint64_t size, absl::string_view what) {
  if (!gzip_) {
    const off_t at = lseek(fd_, 0, SEEK_CUR);
    if (at < 0 || static_cast<uint64_t>(at) > file_size_ || file_size_ - at < size) {
      return Truncated(what);
    }
    lseek(fd_, static_cast<off_t>(size), SEEK_CUR);
    return absl::OkStatus();
  }
  uint8_t scratch[4096];
  while (size > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, sizeof(scratch)));
    absl::Status status = Read(scratch, chunk, what);
    if (!status.ok()) return status;
    size -= chunk;
  }
  return absl::OkStatus();
}

absl::Status InputFile::ExpectEnd() {
  uint8_t extra;
  size_t got = 0;
  bool clean_end = false;
  absl::Status status = gzip_ ? InflateUpTo(&extra, 1, &got, &clean_end) : ReadRaw(&extra, 1, &got);
  if (!status.ok()) return status;
  if (got != 0) return Error("has more bytes than its header announces: not a valid IDX file");
  if (gzip_ && !clean_end) {
    return Error(
        "the gzip stream is cut short (its CRC-32 and length trailer is missing): truncated, "
        "download it again");
  }
  return absl::OkStatus();
}

}  // namespace common
