// The premium a test expects, computed apart from sised's code: (K - F * X) / (F * X) * 100 to
// two decimals, from the price texts the fakes sent and the rate the config names.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sise::test {

inline std::string expected_premium(const char* krw, const char* foreign, const char* rate) {
    const double converted = std::strtod(foreign, nullptr) * std::strtod(rate, nullptr);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f",
                  (std::strtod(krw, nullptr) - converted) / converted * 100.0);
    return buffer;
}

}  // namespace sise::test
