#ifndef COMMON_INPUT_FILE_H_
#define COMMON_INPUT_FILE_H_

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace common {

// A data file read from start to end, plain or gzip (told apart by the gzip magic 1f 8b; an IDX
// file starts with 00 00), where every byte is accounted for:
//  - only regular files are opened: a FIFO or a device would block or never end;
//  - a gzip stream must end with its CRC-32 and length trailer, and both must match. zlib's
//    gzread() does not enforce this on files larger than its 16 KiB buffers (a file cut inside
//    its trailer reads as complete), so this drives inflate() itself, which checks the trailer
//    when it reaches the end of a member;
//  - several gzip members one after another are one stream, as RFC 1952 defines it and gzip(1)
//    reads it (`cat a.gz b.gz`); anything else after the end of the last member (zeros,
//    garbage) is an error, as trailing bytes are in a plain file.
// Errors are one line, name the file and say what to do.
class InputFile {
 public:
  static absl::StatusOr<std::unique_ptr<InputFile>> Open(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads exactly `size` bytes; `what` names them in the error ("header", "data").
  absl::Status Read(void* out, size_t size, absl::string_view what);

  // Reads and drops `size` bytes (a gzip stream is still decompressed, so its checksum is still
  // verified).
  absl::Status Skip(uint64_t size, absl::string_view what);

  // Succeeds if the file has no byte left: the plain file is at its end, or the gzip stream has
  // ended with valid trailers and nothing follows it.
  absl::Status ExpectEnd();

  bool gzip() const { return gzip_; }
  const std::string& path() const { return path_; }
  uint64_t file_size() const { return file_size_; }

  // An upper bound of the bytes the file can hold: its size if plain; if gzip, what deflate can
  // expand it to at most (1032:1, rounded up). Lets a reader reserve memory for what a header
  // announces without trusting a header that announces far more than the file could hold.
  uint64_t MaxContentSize() const;

 private:
  InputFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), file_size_(size) {}
  absl::Status Error(absl::string_view problem) const;
  absl::Status Truncated(absl::string_view what) const;
  absl::Status ReadRaw(uint8_t* out, size_t size, size_t* got);
  absl::Status Fill(size_t at_least);
  // Decompresses up to `size` bytes, fewer only where the input ends: `clean_end` then tells
  // whether it ended after a complete member (with a valid trailer) or inside one.
  absl::Status InflateUpTo(uint8_t* out, size_t size, size_t* produced, bool* clean_end);
  absl::Status StartNextMember(bool* found);

  int fd_;
  std::string path_;
  uint64_t file_size_;
  bool gzip_ = false;
  // gzip state
  z_stream z_{};
  bool z_ready_ = false;
  bool member_ended_ = false;
  bool eof_ = false;
  uint64_t consumed_ = 0;  // compressed bytes read from the file
  std::vector<uint8_t> in_;
};

}  // namespace common

#endif  // COMMON_INPUT_FILE_H_
