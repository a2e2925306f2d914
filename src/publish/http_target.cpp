#include "sise/publish/http_target.hpp"

namespace sise::publish {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes `text`; '+' is a space in query components.
std::optional<std::string> decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Absolute form (RFC 9112 §3.2.2): "http://host[:port]/path?query" names the same resource as
// its origin form; the authority is not checked (the Host header is not either). An empty
// path is "/".
std::optional<std::string_view> strip_absolute_form(std::string_view target) {
    constexpr std::string_view schemes[] = {"http://", "https://"};
    for (auto scheme : schemes) {
        if (target.size() < scheme.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < scheme.size() && same; ++i)
            same = (target[i] | 0x20) == scheme[i];  // the scheme is case-insensitive
        if (!same) continue;
        std::string_view rest = target.substr(scheme.size());
        const auto end = rest.find_first_of("/?#");
        if (end == 0) return std::nullopt;  // no authority
        if (end == std::string_view::npos) return std::string_view{"/"};
        if (rest[end] == '/') return rest.substr(end);
        return std::nullopt;  // "http://host?query": use origin form instead
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string_view> request_target::parameter(std::string_view key) const noexcept {
    for (const auto& [name, value] : query)
        if (name == key) return value;
    return std::nullopt;
}

std::optional<request_target> parse_target(std::string_view target) {
    if (target.size() > request_target::max_length) return std::nullopt;
    if (!target.empty() && target.front() != '/') {
        auto origin_form = strip_absolute_form(target);
        if (!origin_form) return std::nullopt;
        target = *origin_form;
    }
    if (target.empty()) return std::nullopt;
    request_target result;
    auto question = target.find('?');
    auto path = decode(target.substr(0, question), false);
    if (!path) return std::nullopt;
    result.path = std::move(*path);
    if (question == std::string_view::npos) return result;

    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        if (result.query.size() == request_target::max_parameters) return std::nullopt;
        auto eq = pair.find('=');
        auto name = decode(pair.substr(0, eq), true);
        auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
                            true);
        if (!name || !value) return std::nullopt;
        result.query.emplace_back(std::move(*name), std::move(*value));
    }
    return result;
}

}  // namespace sise::publish
