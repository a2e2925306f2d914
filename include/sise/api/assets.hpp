// The web assets sised serves (the demo page at "/", widget.js, its stylesheet): a pure lookup
// from a request path to {content type, bytes, strong ETag}. The built-in set is compiled in
// from web/ by cmake/embed_assets.cmake; io/asset_dir.hpp loads the same names from a directory.
#pragma once

#include <span>
#include <string_view>

namespace sise::api {

struct asset {
    std::string_view name;          // file name in web/, e.g. "widget.js"
    std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
    std::string_view bytes;
    std::string_view etag;  // strong, quoted: "\"sha256-<first 32 hex digits>\""
};

// By file name extension; unknown extensions are application/octet-stream.
constexpr std::string_view content_type_for(std::string_view name) {
    const auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    return "application/octet-stream";
}

// The assets compiled into the binary, sorted by name.
std::span<const asset> builtin_assets();

// The asset a request path names: "/" is index.html, "/widget.js" is widget.js. Only a single
// path segment matches (no directories, no "..", no query: pass the path without it);
// nullptr when the set has no such asset.
const asset* find_asset(std::span<const asset> set, std::string_view path);

// Whether an If-None-Match header value matches the strong ETag: "*", or one entry of the
// comma-separated list, weak ("W/") entries compared weakly as RFC 9110 asks for GET.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace sise::api
