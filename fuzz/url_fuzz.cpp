// Feeds arbitrary bytes to parse_url. An accepted URL has one of our four schemes, a port in
// 1..65535, a target starting with '/', and writing it back out as
// scheme://host_header()target parses to the same parts.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "contract.hpp"
#include "sise/core/url.hpp"

namespace {

using sise::fuzz::check;

bool valid_port(const std::string& port) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return !port.empty() && ec == std::errc{} && end == port.data() + port.size() && value >= 1 &&
           value <= 65535;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto url = sise::parse_url(input);
    if (!url) return 0;

    check(url->scheme == "ws" || url->scheme == "wss" || url->scheme == "http" ||
              url->scheme == "https",
          "scheme");
    check(!url->host.empty(), "empty host");
    check(valid_port(url->port), "port not in 1..65535");
    check(!url->target.empty() && url->target.front() == '/', "target without leading '/'");
    check(url->target.find('#') == std::string::npos, "fragment kept in target");

    const auto again = sise::parse_url(url->scheme + "://" + url->host_header() + url->target);
    check(again.has_value(), "rebuilt URL rejected");
    check(again->scheme == url->scheme && again->host == url->host && again->port == url->port &&
              again->target == url->target,
          "rebuilt URL parses to different parts");
    return 0;
}
