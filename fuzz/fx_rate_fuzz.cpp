// Feeds arbitrary bytes to the FX rate reader: the first line is the field path, the rest the
// JSON body. An accepted rate is a positive plain decimal that reads back unchanged when served
// as the value of a one-key object.
#include <cstdint>
#include <string>
#include <string_view>

#include "contract.hpp"
#include "sise/core/error.hpp"
#include "sise/fx/rate_field.hpp"

using sise::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    const auto path = sise::fx::parse_field_path(input.substr(0, newline));
    if (!path) return 0;
    check(!path->empty(), "empty path accepted");
    for (const auto& segment : *path)
        check(!segment.empty() && segment.find('.') == std::string::npos, "bad segment");

    sise::decimal rate;
    if (sise::fx::read_rate(input.substr(newline + 1), *path, rate)) {
        check(rate.empty(), "rate set on failure");
        return 0;
    }
    check(!rate.empty() && !rate.negative() && !rate.is_zero(), "accepted rate is not positive");

    sise::decimal again;
    const std::string body = "{\"r\":" + std::string(rate.text()) + "}";
    check(!sise::fx::read_rate(body, {"r"}, again), "accepted rate does not read back");
    check(again == rate, "rate changed on the way back");
    return 0;
}
