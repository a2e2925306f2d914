#include "sise/redis/endpoint.hpp"

#include <charconv>

namespace sise::redis {
namespace {

template <typename Int>
bool parse_number(std::string_view text, Int& out, Int max) {
    Int value{};
    if (text.empty() || text.front() == '-') return false;  // digits only
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) return false;
    out = value;
    return true;
}

}  // namespace

std::optional<endpoint> parse_endpoint(std::string_view text) {
    endpoint out;
    if (text.starts_with("redis://")) {
        text.remove_prefix(8);
    } else if (text.starts_with("rediss://")) {
        text.remove_prefix(9);
        out.tls = true;
    } else {
        return std::nullopt;
    }
    std::string_view authority = text.substr(0, text.find('/'));
    std::string_view path =
        authority.size() < text.size() ? text.substr(authority.size() + 1) : std::string_view{};
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        authority.remove_prefix(at + 1);
        const auto colon = userinfo.find(':');
        if (colon == std::string_view::npos) {
            out.password = userinfo;  // redis://password@host, as redis-cli -u reads it
        } else {
            out.username = userinfo.substr(0, colon);
            out.password = userinfo.substr(colon + 1);
        }
    }
    std::string_view host = authority;
    std::string_view port;
    if (host.starts_with('[')) {  // [::1]:6379
        const auto close = host.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string_view rest = host.substr(close + 1);
        host = host.substr(1, close - 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) return std::nullopt;
            port = rest.substr(1);
        }
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (host.empty()) return std::nullopt;
    out.host = host;
    if (!port.empty() || authority.ends_with(':')) {
        unsigned number = 0;
        if (!parse_number(port, number, 65535u) || number == 0) return std::nullopt;
        out.port = port;
    }
    if (!path.empty() && !parse_number(path, out.db, 1'000'000)) return std::nullopt;
    return out;
}

}  // namespace sise::redis
