#ifndef COMMON_RECORD_FILE_H_
#define COMMON_RECORD_FILE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace common {

// The file --json_out names, checked before training so that a path that cannot be written
// fails at once, not after the run: it must be a regular file (or not exist yet) in a directory
// where a file can be created and that has room for a record. The record goes to a temporary
// file beside it, renamed over it at the end: a reader never sees half a record, and a run
// that fails leaves whatever was there before.
class RecordFile {
 public:
  // Creates the temporary file (and reserves room in it). Errors are one line naming the flag.
  static absl::StatusOr<std::unique_ptr<RecordFile>> Open(const std::string& path);
  ~RecordFile();  // removes the temporary file unless Commit succeeded
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;

  // Writes `text` and puts it in place.
  absl::Status Commit(absl::string_view text);

  const std::string& temporary_path() const { return temporary_; }

 private:
  RecordFile(std::string path, std::string temporary, int fd)
      : path_(std::move(path)), temporary_(std::move(temporary)), fd_(fd) {}

  std::string path_;
  std::string temporary_;
  int fd_;
};

}  // namespace common

#endif  // COMMON_RECORD_FILE_H_
