// Splits an HTTP request target ("/v1/snapshot?markets=KRW-BTC") into a path and decoded
// query parameters. Local clients are untrusted: bounded sizes, no throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sise::publish {

struct request_target {
    static constexpr std::size_t max_length = 4096;
    static constexpr std::size_t max_parameters = 32;

    std::string path;
    std::vector<std::pair<std::string, std::string>> query;

    // First value of `key`, if present.
    std::optional<std::string_view> parameter(std::string_view key) const noexcept;
};

// Accepts origin form ("/path?query") and absolute form ("http://host:port/path?query", RFC
// 9112 §3.2.2, the authority ignored). nullopt for any other form, a target too long, too many
// parameters or a broken percent escape.
std::optional<request_target> parse_target(std::string_view target);

}  // namespace sise::publish
