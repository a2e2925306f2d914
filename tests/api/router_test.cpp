#include "sise/api/router.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/krw_table.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;

namespace {

// The daemon as the router sees it: two markets, healthy or not, some allowed origins.
class fake_view final : public api::view {
public:
    fake_view() : table_(test::krw_table({"KRW-BTC", "KRW-ETH"})) {
        publisher_.publish(table_, 1);  // encodes every row once
    }
    const market::ticker_table& table() const override { return table_; }
    const publish::publisher& publisher() const override { return publisher_; }
    stats::snapshot stats_snapshot() const override {
        stats::snapshot s;
        s.version = "test";
        stats::feed_entry feed;
        feed.feed.state = healthy_ ? stats::feed_state::live : stats::feed_state::backoff;
        s.feeds.push_back(feed);
        return s;
    }
    std::span<const std::string> allowed_origins() const override { return origins_; }
    std::span<const std::string> own_origins() const override { return own_; }
    std::span<const api::asset> assets() const override { return assets_; }
    publish::snapshot_cache& snapshot_bodies() const override { return snapshot_bodies_; }
    std::optional<std::uint32_t> snapshot_max_age_s() const override { return max_age_s_; }

    // A trade on `market` and the publication that carries it.
    void publish_price(std::string_view market, std::string_view price, std::int64_t now_ms) {
        table_.apply(exchange_id::upbit, test::tick(market, price, now_ms), now_ms);
        publisher_.publish(table_, now_ms);
    }

    bool healthy_ = true;
    std::optional<std::uint32_t> max_age_s_;
    std::vector<std::string> origins_{"http://localhost:3000"};
    std::vector<std::string> own_{"http://127.0.0.1:8765"};
    std::vector<api::asset> assets_{
        {"index.html", "text/html; charset=utf-8", "<p>hi</p>", "\"sha256-aa\""},
        {"widget.js", "text/javascript; charset=utf-8", "customElements", "\"sha256-bb\""}};

private:
    market::ticker_table table_;
    publish::publisher publisher_;
    mutable publish::snapshot_cache snapshot_bodies_;
};

api::response get(const fake_view& view, std::string_view target, api::request_headers h = {}) {
    return api::route("GET", target, h, view);
}

bool has_header(const api::response& response, std::string_view name) {
    for (const auto& [field, value] : response.headers)
        if (field == name) return true;
    return false;
}

std::string header(const api::response& response, std::string_view name) {
    for (const auto& [field, value] : response.headers)
        if (field == name) return value;
    return {};
}

}  // namespace

TEST_SUITE("api") {
    TEST_CASE("each endpoint answers with its status, JSON type and no-store") {
        fake_view view;
        auto snapshot = get(view, "/v1/snapshot?markets=KRW-ETH");
        CHECK(snapshot.what == api::action::respond);
        CHECK(snapshot.status == 200);
        CHECK(snapshot.content_type == "application/json; charset=utf-8");
        CHECK(snapshot.cache == api::cache_policy::no_store);
        CHECK(snapshot.payload().find("\"type\":\"snapshot\"") != std::string::npos);
        CHECK(snapshot.payload().find("KRW-ETH") != std::string::npos);
        CHECK(snapshot.payload().find("KRW-BTC") == std::string::npos);
        CHECK_FALSE(snapshot.close);

        auto health = get(view, "/healthz");
        CHECK(health.status == 200);
        CHECK(health.body.starts_with(R"({"status":"ok")"));
        view.healthy_ = false;
        CHECK(get(view, "/healthz").status == 503);

        CHECK(get(view, "/nope").status == 404);
        CHECK(get(view, "/v1/snapshot?markets=nonsense!").status == 400);
    }

    TEST_CASE("history is deferred to the backend with the parsed target") {
        fake_view view;
        auto history = get(view, "/v1/history?market=KRW-BTC&from=1");
        CHECK(history.what == api::action::history);
        REQUIRE(history.target);
        CHECK(history.target->path == "/v1/history");
        CHECK(history.target->parameter("market") == "KRW-BTC");
    }

    TEST_CASE("HEAD is routed like GET and other methods get 405 with Allow") {
        fake_view view;
        CHECK(api::route("HEAD", "/healthz", {}, view).status == 200);
        auto post = api::route("POST", "/healthz", {}, view);
        CHECK(post.status == 405);
        CHECK(header(post, "Allow") == "GET, HEAD");
    }

    TEST_CASE("a websocket upgrade is accepted on /v1/stream only") {
        fake_view view;
        api::request_headers upgrade;
        upgrade.websocket_upgrade = true;
        CHECK(get(view, "/v1/stream", upgrade).what == api::action::upgrade);
        auto elsewhere = get(view, "/healthz", upgrade);
        CHECK(elsewhere.what == api::action::respond);
        CHECK(elsewhere.status == 404);
    }

    TEST_CASE("an allowed Origin gets CORS headers on every answer, errors included") {
        fake_view view;
        api::request_headers headers;
        headers.origin = "http://localhost:3000";
        for (auto target : {"/healthz", "/v1/snapshot", "/nope", "/v1/snapshot?markets=!"}) {
            auto response = get(view, target, headers);
            CHECK(header(response, "Access-Control-Allow-Origin") == "http://localhost:3000");
            CHECK(header(response, "Vary") == "Origin");
        }
        CHECK_FALSE(has_header(get(view, "/healthz"), "Access-Control-Allow-Origin"));
    }

    TEST_CASE("a refused Origin gets 403 and never an Access-Control header, on any endpoint") {
        fake_view view;
        api::request_headers headers;
        headers.origin = "https://evil.example";
        for (auto target : {"/healthz", "/v1/snapshot", "/v1/history?market=KRW-BTC", "/v1/stream",
                            "/nope", "http://127.0.0.1:8765/healthz"}) {
            for (bool upgrade : {false, true}) {
                headers.websocket_upgrade = upgrade;
                auto response = get(view, target, headers);
                CHECK(response.what == api::action::respond);
                CHECK(response.status == 403);
                CHECK(response.headers.empty());
                CHECK(response.body.find("origin_not_allowed") != std::string::npos);
            }
        }
        view.origins_ = {"*"};
        headers.websocket_upgrade = false;
        CHECK(get(view, "/healthz", headers).status == 200);
    }

    TEST_CASE("a request announcing a body is refused and its connection closed") {
        fake_view view;
        api::request_headers headers;
        for (auto coding : {"xchunked", "gzip", "chunked, gzip", "identity", "chunkedx"}) {
            headers.transfer_encoding = coding;
            auto response = get(view, "/healthz", headers);
            CHECK(response.status == 400);
            CHECK(response.close);
        }
        for (auto coding : {"chunked", "gzip, Chunked", "gzip,chunked "}) {
            headers.transfer_encoding = coding;
            auto response = get(view, "/healthz", headers);
            CHECK(response.status == 413);
            CHECK(response.close);
        }
        headers.content_length = "5";
        CHECK(get(view, "/healthz", headers).status == 400);  // both framings: smuggling
        headers.transfer_encoding = {};
        auto sized = get(view, "/healthz", headers);
        CHECK(sized.status == 413);
        CHECK(sized.close);
        headers.content_length = "0";
        auto empty = get(view, "/healthz", headers);
        CHECK(empty.status == 200);
        CHECK_FALSE(empty.close);

        api::request_headers refused;
        refused.origin = "https://evil.example";
        refused.transfer_encoding = "gzip";
        CHECK(get(view, "/healthz", refused).close);  // its body is still unread
    }

    TEST_CASE("absolute-form targets are routed like their origin form") {
        fake_view view;
        CHECK(get(view, "http://127.0.0.1:8765/healthz").status == 200);
        auto snapshot = get(view, "HTTP://localhost/v1/snapshot?markets=KRW-BTC");
        CHECK(snapshot.status == 200);
        CHECK(snapshot.payload().find("KRW-BTC") != std::string::npos);
        // An empty path is "/" (RFC 9112 §3.2.2): the demo page.
        CHECK(get(view, "http://127.0.0.1:8765").body == "<p>hi</p>");
        CHECK(get(view, "ftp://127.0.0.1/healthz").status == 400);
    }

    TEST_CASE("a target over the length limit gets 414 and a malformed one 400") {
        fake_view view;
        auto too_long =
            get(view, "/healthz?" + std::string(publish::request_target::max_length, 'a'));
        CHECK(too_long.status == 414);
        CHECK(too_long.body.find("4096") != std::string::npos);
        CHECK(get(view, "/healthz?a=%zz").status == 400);
        CHECK(get(view, "*").status == 400);
    }

    TEST_CASE("unparsable requests get 414, 431 or 400 and close the connection") {
        auto line = api::refuse(api::framing_failure::request_line_too_long);
        CHECK(line.status == 414);
        CHECK(line.close);
        auto headers = api::refuse(api::framing_failure::header_too_large);
        CHECK(headers.status == 431);
        CHECK(headers.close);
        auto malformed = api::refuse(api::framing_failure::malformed);
        CHECK(malformed.status == 400);
        CHECK(malformed.close);
        CHECK(malformed.headers.empty());
    }

    TEST_CASE("the subscribe errors name the 256-market limit") {
        CHECK(api::bad_subscribe_json().find("at most 256 markets") != std::string::npos);
        fake_view view;
        std::string many = "/v1/snapshot?markets=";
        for (int i = 0; i < 257; ++i) many += "KRW-BTC,";
        many.pop_back();
        auto response = get(view, many);
        CHECK(response.status == 400);
        CHECK(response.body.find("at most 256") != std::string::npos);
    }

    TEST_CASE("the demo page and the widget are served with ETag and revalidation") {
        fake_view view;
        auto page = get(view, "/");
        CHECK(page.status == 200);
        CHECK(page.content_type == "text/html; charset=utf-8");
        CHECK(page.body == "<p>hi</p>");
        CHECK(page.cache == api::cache_policy::revalidate);
        CHECK(has_header(page, "ETag"));
        CHECK(has_header(page, "Content-Security-Policy"));
        auto script = get(view, "/widget.js");
        CHECK(script.status == 200);
        CHECK(script.cache == api::cache_policy::public_short);
        CHECK_FALSE(has_header(script, "Content-Security-Policy"));
        api::request_headers cached;
        cached.if_none_match = "\"sha256-bb\"";
        auto again = get(view, "/widget.js", cached);
        CHECK(again.status == 304);
        CHECK(again.body.empty());
        cached.if_none_match = "\"sha256-old\"";
        CHECK(get(view, "/widget.js", cached).status == 200);
        CHECK(get(view, "/nope.js").status == 404);
    }

    TEST_CASE("the daemon's own origin is allowed without being listed and gets CORS headers") {
        fake_view view;
        api::request_headers own;
        own.origin = "http://127.0.0.1:8765";
        auto response = get(view, "/v1/snapshot", own);
        CHECK(response.status == 200);
        CHECK(has_header(response, "Access-Control-Allow-Origin"));
        api::request_headers other;
        other.origin = "http://127.0.0.1:9999";
        CHECK(get(view, "/v1/snapshot", other).status == 403);
    }

    TEST_CASE("a snapshot carries a strong ETag and is the shared body of its publication") {
        fake_view view;
        auto first = get(view, "/v1/snapshot");
        auto second = get(view, "/v1/snapshot");
        REQUIRE(first.shared_body);
        CHECK(first.body.empty());
        CHECK(first.shared_body.get() == second.shared_body.get());  // not encoded again
        const std::string tag = header(first, "ETag");
        CHECK(tag.starts_with("\""));
        CHECK(tag.ends_with("\""));
        CHECK_FALSE(tag.starts_with("W/"));
        CHECK(header(second, "ETag") == tag);

        // Another filter, another tag; the same filter in another order, the same tag.
        auto some = get(view, "/v1/snapshot?markets=KRW-ETH,upbit:KRW-BTC");
        auto same = get(view, "/v1/snapshot?markets=upbit:KRW-BTC,KRW-ETH");
        CHECK(header(some, "ETag") != tag);
        CHECK(header(some, "ETag") == header(same, "ETag"));
        CHECK(some.shared_body.get() == same.shared_body.get());
    }

    TEST_CASE("If-None-Match with the current snapshot tag gets 304 until the next publication") {
        fake_view view;
        const std::string tag = header(get(view, "/v1/snapshot"), "ETag");
        api::request_headers conditional;
        conditional.if_none_match = tag;
        auto not_modified = get(view, "/v1/snapshot", conditional);
        CHECK(not_modified.status == 304);
        CHECK(not_modified.payload().empty());
        CHECK(header(not_modified, "ETag") == tag);  // RFC 9110 §15.4.5: the 200's fields
        CHECK(not_modified.cache == api::cache_policy::no_store);
        CHECK_FALSE(has_header(not_modified, "Vary"));  // no-store: no shared cache keeps it
        CHECK(api::route("HEAD", "/v1/snapshot", conditional, view).status == 304);

        // Lists, weak forms and "*" (weak comparison, RFC 9110 §13.1.2).
        for (std::string value : {"\"nope\", " + tag, "W/" + tag, std::string("*")}) {
            CAPTURE(value);
            conditional.if_none_match = value;
            CHECK(get(view, "/v1/snapshot", conditional).status == 304);
        }
        // A tag of another filter does not match.
        conditional.if_none_match = tag;
        CHECK(get(view, "/v1/snapshot?markets=KRW-BTC", conditional).status == 200);

        view.publish_price("KRW-BTC", "150139000", 2);
        auto changed = get(view, "/v1/snapshot", conditional);
        CHECK(changed.status == 200);
        CHECK(header(changed, "ETag") != tag);
        CHECK(changed.payload().find("150139000") != std::string::npos);
    }

    TEST_CASE("a configured max age makes snapshots public and cacheable, other answers not") {
        fake_view view;
        view.max_age_s_ = 5;
        auto snapshot = get(view, "/v1/snapshot?markets=KRW-BTC");
        CHECK(snapshot.cache == api::cache_policy::public_max_age);
        CHECK(snapshot.max_age_s == 5);
        const std::string tag = header(snapshot, "ETag");  // the request only views it
        api::request_headers conditional;
        conditional.if_none_match = tag;
        auto not_modified = get(view, "/v1/snapshot?markets=KRW-BTC", conditional);
        CHECK(not_modified.status == 304);
        CHECK(not_modified.cache == api::cache_policy::public_max_age);  // refreshes the CDN
        CHECK(get(view, "/healthz").cache == api::cache_policy::no_store);
        CHECK(get(view, "/v1/snapshot?markets=!").cache == api::cache_policy::no_store);
        // A CDN keys stored answers on Origin: with and without one, they differ (CORS).
        CHECK(header(snapshot, "Vary") == "Origin");
        api::request_headers page;
        page.origin = "http://localhost:3000";
        auto cors = get(view, "/v1/snapshot?markets=KRW-BTC", page);
        CHECK(header(cors, "Vary") == "Origin");
        CHECK(header(cors, "Access-Control-Allow-Origin") == "http://localhost:3000");
        view.max_age_s_ = 0;  // "public, max-age=0": stored, always revalidated
        CHECK(get(view, "/v1/snapshot").cache == api::cache_policy::public_max_age);
    }

    TEST_CASE("only a 200 with an ETag is answered conditionally") {
        fake_view view;
        api::request_headers star;
        star.if_none_match = "*";
        CHECK(get(view, "/healthz", star).status == 200);  // no ETag: no representation tag
        CHECK(get(view, "/nope", star).status == 404);
        CHECK(get(view, "/v1/snapshot?markets=!", star).status == 400);
        CHECK(get(view, "/widget.js", star).status == 304);
    }
}
