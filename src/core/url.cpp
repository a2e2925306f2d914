#include "sise/core/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sise {

std::string url::host_header() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (!default_port()) out += ":" + port;
    return out;
}

url url::with_path(std::string_view path) const {
    url out = *this;
    if (!out.target.empty() && out.target.back() == '/' && !path.empty() && path.front() == '/')
        out.target.pop_back();
    out.target += path;
    return out;
}

std::optional<url> parse_url(std::string_view text) {
    url out;
    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    out.scheme = text.substr(0, scheme_end);
    if (out.scheme != "ws" && out.scheme != "wss" && out.scheme != "http" && out.scheme != "https")
        return std::nullopt;
    text.remove_prefix(scheme_end + 3);

    auto authority_end = text.find_first_of("/?#");
    std::string_view authority = text.substr(0, authority_end);
    std::string_view rest =
        authority_end == std::string_view::npos ? std::string_view{} : text.substr(authority_end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = authority.substr(1, close - 1);
        // Brackets hold an IPv6 literal and nothing else (RFC 3986 §3.2.2).
        const bool ipv6_literal =
            out.host.find(':') != std::string::npos &&
            std::all_of(out.host.begin(), out.host.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            });
        if (!ipv6_literal) return std::nullopt;
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':' || after.size() == 1) return std::nullopt;
            port = after.substr(1);
        }
    } else {
        auto colon = authority.find(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return std::nullopt;  // "host:" names no port
        }
    }
    if (out.host.empty()) return std::nullopt;
    if (!port.empty()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            return std::nullopt;
        out.port = port;
    } else {
        out.port = out.tls() ? "443" : "80";
    }

    auto fragment = rest.find('#');
    rest = rest.substr(0, fragment);
    out.target = rest.empty() || rest.front() != '/' ? "/" + std::string(rest) : std::string(rest);
    return out;
}

}  // namespace sise
