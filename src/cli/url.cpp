#include "sise/cli/url.hpp"

#include <algorithm>
#include <charconv>

namespace sise::cli {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    const auto lower = [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(),
                      [&](char p, char t) { return p == lower(t); });
}

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
           c == '.';
}

}  // namespace

std::optional<http_url> parse_http_url(std::string_view text, std::string& why) {
    if (starts_with_nocase(text, "http://")) {
        text.remove_prefix(7);
    } else if (starts_with_nocase(text, "https://")) {
        why = "https is not supported: sised serves plain HTTP on a local port";
        return std::nullopt;
    } else if (text.find("://") != std::string_view::npos) {
        why = "only http:// URLs are supported";
        return std::nullopt;
    }
    if (text.find_first_of("?#") != std::string_view::npos) {
        why = "a query or fragment is not allowed";
        return std::nullopt;
    }

    const std::size_t slash = text.find('/');
    std::string_view authority = text.substr(0, slash);
    std::string_view path =
        slash == std::string_view::npos ? std::string_view{} : text.substr(slash);
    if (authority.find('@') != std::string_view::npos) {
        why = "user info is not allowed";
        return std::nullopt;
    }

    http_url url;
    std::string_view host;
    std::string_view rest;  // ":port" or empty
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "unclosed '[' in the host";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        rest = authority.substr(close + 1);
        if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char)) {
            why = "bad IPv6 address";
            return std::nullopt;
        }
    } else {
        const std::size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon);
        if (host.empty()) {
            why = "no host";
            return std::nullopt;
        }
        if (!std::all_of(host.begin(), host.end(), is_host_char)) {
            why = "bad character in the host";
            return std::nullopt;
        }
    }

    std::string_view port = "80";
    if (!rest.empty()) {
        if (rest.front() != ':' || rest.size() == 1) {
            why = "bad port";
            return std::nullopt;
        }
        port = rest.substr(1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
            why = "bad port";
            return std::nullopt;
        }
    }

    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (std::any_of(path.begin(), path.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == '\x7f'; })) {
        why = "space or control character in the path";
        return std::nullopt;
    }

    url.host = host;
    url.port = port;
    url.host_header = authority;
    url.path_prefix = path;
    return url;
}

}  // namespace sise::cli
