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
    // RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, and etagc includes the
    // comma, so the list is walked tag by tag rather than split at commas. Weak comparison
    // (§8.8.3.2, what §13.1.2 asks for): a W/ prefix in the list is ignored.
    const auto skip = [&](std::size_t at, std::string_view chars) {
        while (at < if_none_match.size() && chars.find(if_none_match[at]) != std::string_view::npos)
            ++at;
        return at;
    };
    std::size_t at = skip(0, " \t");
    if (if_none_match.substr(at).starts_with('*'))
        return skip(at + 1, " \t") == if_none_match.size();
    while ((at = skip(at, " \t,")) < if_none_match.size()) {
        if (if_none_match.substr(at).starts_with("W/")) at += 2;
        if (at < if_none_match.size() && if_none_match[at] == '"') {
            const auto close = if_none_match.find('"', at + 1);
            if (close == std::string_view::npos) return false;  // unterminated: matches nothing
            if (if_none_match.substr(at, close + 1 - at) == etag) return true;
            at = close + 1;
        } else {
            // Not an entity tag (a client's mistake): skipped up to the next comma.
            at = if_none_match.find(',', at);
            if (at == std::string_view::npos) return false;
        }
    }
    return false;
}

}  // namespace sise::api
