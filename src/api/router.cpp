#include "sise/api/router.hpp"

#include "sise/stats/healthz.hpp"
#include "sise/stats/prometheus.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sise/publish/json_writer.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::api {
namespace {

using publish::error_json;

response answer(unsigned status, std::string body) {
    response out;
    out.status = status;
    out.body = std::move(body);
    return out;
}

response closing(unsigned status, std::string body) {
    response out = answer(status, std::move(body));
    out.close = true;
    return out;
}

std::string bad_markets_json() {
    return error_json("bad_markets",
                      fmt::format("markets= takes at most {} codes like KRW-BTC or upbit:KRW-BTC, "
                                  "comma-separated",
                                  publish::subscription::max_selectors));
}

// Served from the bodies of the current publication: no encoding per request (a body is made
// on the first request for it after each publication), a strong ETag for conditional GETs.
response snapshot(const publish::request_target& target, const view& state) {
    auto selection = publish::parse_selector_list(target.parameter("markets").value_or(""));
    if (!selection) return answer(400, bad_markets_json());
    const publish::snapshot_body& made =
        state.snapshot_bodies().get(state.table(), state.publisher(), *selection);
    response out;
    out.shared_body = made.body;
    out.headers.emplace_back("ETag", made.etag);
    if (const auto max_age = state.snapshot_max_age_s()) {
        out.cache = cache_policy::public_max_age;
        out.max_age_s = *max_age;
    }
    return out;
}

response history(const publish::request_target& target, const view&) {
    // The backend reads the files on another thread and answers on the loop.
    response out;
    out.what = action::history;
    out.target = target;
    return out;
}

response health(const publish::request_target&, const view& state) {
    const stats::snapshot s = state.stats_snapshot();
    return answer(stats::healthy(s) ? 200 : 503, stats::healthz_json(s));
}

// Prometheus text exposition 0.0.4 (docs/operations.md lists every metric).
response metrics(const publish::request_target&, const view& state) {
    response out = answer(200, stats::prometheus_text(state.stats_snapshot()));
    out.content_type = stats::prometheus_content_type;
    return out;
}

// GET (and HEAD) endpoints. Adding one is adding a row.
struct route_entry {
    std::string_view path;
    response (*handler)(const publish::request_target&, const view&);
};
constexpr std::array<route_entry, 4> routes{{
    {"/v1/snapshot", snapshot},
    {"/v1/history", history},
    {"/healthz", health},
    {"/metrics", metrics},
}};

constexpr std::string_view stream_path = "/v1/stream";

// The demo page and the widget: strong ETag (304 on a match, below), and a CSP for the page
// that allows nothing but this daemon (docs/widget.md).
response serve_asset(const asset& file) {
    const bool page = file.content_type.starts_with("text/html");
    response out;
    out.content_type = file.content_type;
    out.cache = page ? cache_policy::revalidate : cache_policy::public_short;
    out.headers.emplace_back("ETag", std::string(file.etag));
    out.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (page)
        out.headers.emplace_back("Content-Security-Policy",
                                 "default-src 'none'; script-src 'self'; style-src 'self'; "
                                 "connect-src 'self'; img-src 'self'");
    out.body = std::string(file.bytes);
    return out;
}

// RFC 9110 §13.1.2 and §13.2.2: a GET or HEAD whose If-None-Match matches the tag of the
// representation it would get (a 200 with an ETag) gets 304 instead: no body, and the header
// fields the 200 would have carried (§15.4.5: ETag, Cache-Control, Vary).
void answer_conditionally(response& out, std::string_view if_none_match) {
    if (out.status != 200 || if_none_match.empty()) return;
    const auto tag = std::find_if(out.headers.begin(), out.headers.end(),
                                  [](const auto& field) { return field.first == "ETag"; });
    if (tag == out.headers.end() || !etag_matches(if_none_match, tag->second)) return;
    out.status = 304;
    out.body.clear();
    out.shared_body.reset();
}

// RFC 9112 §6: requests here have no body. A request announcing one is refused and its
// connection closed, since its body was not read and must never be taken for a request.
std::optional<response> refuse_body(const request_headers& headers) {
    if (!headers.transfer_encoding.empty()) {
        // §6.3: a transfer coding other than a final "chunked" cannot be framed: 400 + close.
        std::string_view codings = headers.transfer_encoding;
        auto comma = codings.rfind(',');
        std::string_view last =
            comma == std::string_view::npos ? codings : codings.substr(comma + 1);
        while (!last.empty() && (last.front() == ' ' || last.front() == '\t'))
            last.remove_prefix(1);
        while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
        const bool chunked_final =
            last.size() == 7 && std::equal(last.begin(), last.end(), "chunked",
                                           [](char a, char b) { return (a | 0x20) == b; });
        if (!chunked_final || !headers.content_length.empty())
            return closing(400, error_json("bad_framing",
                                           "Transfer-Encoding must end in chunked, without "
                                           "Content-Length (RFC 9112 section 6.3)"));
        return closing(413, error_json("body_not_allowed", "requests take no body"));
    }
    if (!headers.content_length.empty() && headers.content_length != "0")
        return closing(413, error_json("body_not_allowed", "requests take no body"));
    return std::nullopt;
}

response route_allowed(std::string_view method, std::string_view target_text,
                       const request_headers& headers, const view& state) {
    if (auto refusal = refuse_body(headers)) return std::move(*refusal);
    if (target_text.size() > publish::request_target::max_length)
        return answer(
            414, error_json("target_too_long", fmt::format("request targets are at most {} bytes",
                                                           publish::request_target::max_length)));
    auto target = publish::parse_target(target_text);
    if (!target) return answer(400, error_json("bad_target", "malformed request target"));

    if (headers.websocket_upgrade) {
        if (target->path != stream_path)
            return answer(404, error_json("not_found", "websocket endpoint is /v1/stream"));
        response out;
        out.what = action::upgrade;
        return out;
    }
    if (method != "GET" && method != "HEAD") {
        response out = answer(405, error_json("method_not_allowed", "only GET is supported"));
        out.headers.emplace_back("Allow", "GET, HEAD");
        return out;
    }
    response out;
    const auto entry = std::find_if(routes.begin(), routes.end(),
                                    [&](const route_entry& e) { return e.path == target->path; });
    if (entry != routes.end())
        out = entry->handler(*target, state);
    else if (const asset* file = find_asset(state.assets(), target->path))
        out = serve_asset(*file);
    else
        return answer(404, error_json("not_found", "no such endpoint"));
    answer_conditionally(out, headers.if_none_match);
    return out;
}

}  // namespace

bool origin_allowed(std::span<const std::string> allowed, std::string_view origin) {
    if (origin.empty()) return true;
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const std::string& entry) { return entry == "*" || entry == origin; });
}

response route(std::string_view method, std::string_view target, const request_headers& headers,
               const view& state) {
    const auto own = state.own_origins();
    const bool same_origin = std::find(own.begin(), own.end(), headers.origin) != own.end();
    if (!same_origin && !origin_allowed(state.allowed_origins(), headers.origin)) {
        // A refused page must not be able to read even this answer: no CORS headers.
        response out = answer(403, error_json("origin_not_allowed", "this Origin is not allowed"));
        out.close = refuse_body(headers).has_value();  // its body was not read
        return out;
    }
    response out = route_allowed(method, target, headers, state);
    // The only place CORS headers are added, and only for an allowed Origin.
    if (!headers.origin.empty()) {
        out.headers.emplace_back("Access-Control-Allow-Origin", std::string(headers.origin));
        out.headers.emplace_back("Vary", "Origin");
    } else if (out.cache == cache_policy::public_max_age) {
        // A shared cache (a CDN) must not hand this answer, which has no CORS header, to a
        // page whose request has an Origin (RFC 9110 §12.5.5).
        out.headers.emplace_back("Vary", "Origin");
    }
    return out;
}

response refuse(framing_failure failure) {
    switch (failure) {
        case framing_failure::request_line_too_long:
            return closing(414, error_json("target_too_long", "the request line is too long"));
        case framing_failure::header_too_large:
            return closing(
                431, error_json("headers_too_large", "the request header section is too large"));
        case framing_failure::malformed:
            break;
    }
    return closing(400, error_json("bad_request", "malformed HTTP request"));
}

std::string bad_subscribe_json() {
    return error_json("bad_request",
                      fmt::format("expected {{\"type\":\"subscribe\",\"markets\":[...]}} with at "
                                  "most {} markets",
                                  publish::subscription::max_selectors));
}

}  // namespace sise::api
