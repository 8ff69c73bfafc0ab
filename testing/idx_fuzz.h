#ifndef TESTING_IDX_FUZZ_H_
#define TESTING_IDX_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fuzz {

// The loader's contract on any bytes at all, checked by the fuzz target (tools/fuzz_loader.sh)
// and by the regression test: `data` is given as a file to LoadIdxImages (whole and with a
// limit of one image), LoadIdxLabels and IdxItemCount, and whatever they say must hold together:
//  - success means well-formed results (28x28 images, count * 784 bytes, labels 0..9, and for a
//    plain file exactly the bytes after the header);
//  - an error is one line that names the file;
//  - a limit keeps fewer images but never accepts a file the full load refuses, or the reverse;
//  - the header count agrees with a successful load.
// A broken promise aborts (a finding); crashes, hangs, leaks and undefined behaviour are the
// sanitizers' to report.
void CheckLoaders(const uint8_t* data, size_t size);

// The fuzzer's starting points, named: small slices of the real data sets (the first images or
// labels of MNIST and Fashion-MNIST, plain and gzip, and MNIST's 60,000 training labels as a
// gzip larger than zlib's buffers) when they are installed, and every kind of malformed file the
// loader's tests know.
std::vector<std::pair<std::string, std::vector<uint8_t>>> SeedInputs();

}  // namespace fuzz

#endif  // TESTING_IDX_FUZZ_H_
