// SPDX-License-Identifier: Apache-2.0
//
// fuzz/corpus_driver.cc: a main() that runs a fuzz target's
// LLVMFuzzerTestOneInput() once on every file of the corpus directories (or
// single files) named on its command line, so that the seed corpora and any
// crash reproducer added to them are checked by every `bazel test //...`,
// with g++ and under the asan and tsan configs, without libFuzzer.
//
// It fails (exit 1) when an argument cannot be read or a directory holds no
// file: a test that ran no input must not pass. Each file's name is printed
// on stderr before it runs, so when a check aborts, the last name in the
// test log is the input that broke it.

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool IsRegularFile(const std::string& path) {
  struct stat st;
  // stat, not lstat: Bazel's runfiles are symlinks to the sources.
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The regular files in `dir`, sorted so runs are reproducible; false when
// the directory cannot be read.
bool ListFiles(const std::string& dir, std::vector<std::string>& files) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return false;
  while (const struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    if (IsRegularFile(path)) files.push_back(path);
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  return true;
}

bool RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "corpus_driver: cannot open %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (in.bad()) {
    std::fprintf(stderr, "corpus_driver: cannot read %s\n", path.c_str());
    return false;
  }
  std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 1;
  }
  std::size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::vector<std::string> files;
    if (IsDirectory(arg)) {
      if (!ListFiles(arg, files)) {
        std::fprintf(stderr, "corpus_driver: cannot read directory %s\n",
                     arg.c_str());
        return 1;
      }
      if (files.empty()) {
        std::fprintf(stderr, "corpus_driver: no file in %s\n", arg.c_str());
        return 1;
      }
    } else if (IsRegularFile(arg)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "corpus_driver: no such file or directory: %s\n",
                   arg.c_str());
      return 1;
    }
    for (const std::string& file : files) {
      if (!RunFile(file)) return 1;
    }
    total += files.size();
  }
  std::fprintf(stderr, "corpus_driver: %zu inputs, all passed\n", total);
  return 0;
}
