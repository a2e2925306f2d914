#include "sise/api/assets.hpp"

#include <algorithm>

namespace sise::api {

const asset* find_asset(std::span<const asset> set, std::string_view path) {
    if (!path.starts_with('/')) return nullptr;
    std::string_view name = path.substr(1);
    if (name.empty()) name = "index.html";
    if (name.find('/') != std::string_view::npos) return nullptr;
    const auto it =
        std::find_if(set.begin(), set.end(), [&](const asset& a) { return a.name == name; });
    return it == set.end() ? nullptr : &*it;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    const auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    if (trim(if_none_match) == "*") return true;
    while (!if_none_match.empty()) {
        const auto comma = if_none_match.find(',');
        std::string_view entry = trim(if_none_match.substr(0, comma));
        if (entry.starts_with("W/")) entry.remove_prefix(2);
        if (!entry.empty() && entry == etag) return true;
        if (comma == std::string_view::npos) break;
        if_none_match.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace sise::api
