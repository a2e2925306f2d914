// Feeds arbitrary bytes to parse_target as an HTTP request target. An accepted target is
// within the size bounds, its path starts with the literal '/' it had to start with, and
// percent-encoding every decoded byte again gives a target that parses to the same parts.
#include <cstdint>
#include <string>
#include <string_view>

#include "contract.hpp"
#include "sise/publish/http_target.hpp"

namespace {

using sise::fuzz::check;
using sise::publish::request_target;

void percent_encode(std::string_view text, std::string& out) {
    constexpr char hex[] = "0123456789ABCDEF";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out += '%';
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto target = sise::publish::parse_target(input);
    if (!target) return 0;

    check(!input.empty() && input.size() <= request_target::max_length, "input length");
    check(!target->path.empty() && target->path.front() == '/', "path without leading '/'");
    check(target->query.size() <= request_target::max_parameters, "too many parameters");
    // Decoding never lengthens: each byte comes from one input byte or one %XX escape.
    std::size_t decoded = target->path.size();
    for (std::size_t i = 0; i < target->query.size(); ++i) {
        const auto& [name, value] = target->query[i];
        decoded += name.size() + value.size();
        std::size_t first = 0;
        while (target->query[first].first != name) ++first;
        check(target->parameter(name) == target->query[first].second,
              "parameter() is not the first value");
    }
    check(decoded <= input.size(), "decoded parts longer than the target");

    // Re-encode everything but the leading '/'; '=' between name and value, '&' between pairs.
    std::string rebuilt = "/";
    percent_encode(std::string_view(target->path).substr(1), rebuilt);
    for (std::size_t i = 0; i < target->query.size(); ++i) {
        rebuilt += i == 0 ? '?' : '&';
        percent_encode(target->query[i].first, rebuilt);
        rebuilt += '=';
        percent_encode(target->query[i].second, rebuilt);
    }
    if (rebuilt.size() > request_target::max_length) return 0;
    const auto again = sise::publish::parse_target(rebuilt);
    check(again && again->path == target->path && again->query == target->query,
          "re-encoded target does not round trip");
    return 0;
}
