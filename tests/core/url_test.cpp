#include "sise/core/url.hpp"

#include <doctest/doctest.h>

using sise::parse_url;

TEST_SUITE("core") {
    TEST_CASE("websocket and http URLs parse with default ports and targets") {
        auto upbit = parse_url("wss://api.upbit.com/websocket/v1");
        REQUIRE(upbit);
        CHECK(upbit->tls());
        CHECK(upbit->websocket());
        CHECK(upbit->host == "api.upbit.com");
        CHECK(upbit->port == "443");
        CHECK(upbit->target == "/websocket/v1");
        CHECK(upbit->host_header() == "api.upbit.com");

        auto local = parse_url("http://127.0.0.1:18080");
        REQUIRE(local);
        CHECK_FALSE(local->tls());
        CHECK(local->port == "18080");
        CHECK(local->target == "/");
        CHECK(local->host_header() == "127.0.0.1:18080");
        CHECK(local->with_path("/v1/market/all?is_details=true").target ==
              "/v1/market/all?is_details=true");

        auto v6 = parse_url("ws://[::1]:9000/ws?x=1");
        REQUIRE(v6);
        CHECK(v6->host == "::1");
        CHECK(v6->target == "/ws?x=1");
        CHECK(v6->host_header() == "[::1]:9000");
    }

    TEST_CASE("URLs we cannot connect to are refused") {
        for (auto bad : {"", "api.upbit.com", "ftp://x/", "ws://", "ws://:80/", "ws://h:0/",
                         "ws://h:65536/", "ws://h:/", "ws://user@h/", "ws://h:8a/", "ws://[::1/",
                         // found by fuzz/url_fuzz: brackets must hold an IPv6 literal
                         "ws://[[a]/", "ws://[[]", "ws://[[1]:9000/ws1", "ws://[abc]/", "ws://[ ]/",
                         "ws://[::1]:/"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_url(bad));
        }
    }
}
