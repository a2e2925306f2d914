// src/io/config.cpp as config_fuzz builds it: with toml++ compiled in (header-only) instead of
// Debian's shared library, which has no coverage instrumentation and would leave the fuzzer
// blind inside the TOML parser.
// toml++'s internal asserts are off, as in the library sised links: 3.3.0 asserts on a bad
// table-header key ("[%", marzer/tomlplusplus#294) where its release build reports a clean
// parse_error. ASan and UBSan still watch the parser.
#define TOML_HEADER_ONLY 1
#define TOML_ASSERT(expr) static_assert(true)
#include "../src/io/config.cpp"
