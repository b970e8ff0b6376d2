// Runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer: the regression inputs in
// fuzz/regressions/<target>/ and the golden seeds, as a ctest test in every build (GCC, sanitizers, CI).
// Arguments are files or directories (every regular file inside, sorted); a directory that does not exist is
// skipped, so a target without regressions yet still replays its seeds.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

bool runFile(const std::filesystem::path &path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return false;
    }
    const std::vector<char> bytes{ std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>() };
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", path.c_str(), bytes.size());
    // A copy in its own allocation, so ASan sees reads past the end exactly as under libFuzzer.
    std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    int replayed = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path(argv[i]);
        std::error_code error;
        if (std::filesystem::is_directory(path, error)) {
            std::vector<std::filesystem::path> files;
            for (const auto &entry : std::filesystem::directory_iterator(path)) {
                if (entry.is_regular_file())
                    files.push_back(entry.path());
            }
            std::sort(files.begin(), files.end());
            for (const auto &file : files)
                replayed += runFile(file) ? 1 : 0;
        } else if (std::filesystem::exists(path, error)) {
            if (!runFile(path))
                return 1;
            ++replayed;
        } else {
            std::fprintf(stderr, "skipping %s (does not exist)\n", path.c_str());
        }
    }
    std::fprintf(stderr, "%d inputs replayed without a finding\n", replayed);
    return replayed > 0 ? 0 : 1;
}
