// Shared by the fuzz targets: a failed contract check aborts, which libFuzzer reports as a
// crash and saves the input as an artifact. Only for checks beyond the sanitizers' own.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace sise::fuzz {

inline void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "contract violated: %s\n", what);
        std::abort();
    }
}

}  // namespace sise::fuzz
