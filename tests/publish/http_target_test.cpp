#include "sise/publish/http_target.hpp"

#include <doctest/doctest.h>

using sise::publish::parse_target;

TEST_SUITE("publish") {
    TEST_CASE("a request target splits into a path and decoded parameters") {
        auto target = parse_target("/v1/snapshot?markets=KRW-BTC%2CKRW-ETH&x=a+b&flag");
        REQUIRE(target);
        CHECK(target->path == "/v1/snapshot");
        CHECK(target->parameter("markets") == "KRW-BTC,KRW-ETH");
        CHECK(target->parameter("x") == "a b");
        CHECK(target->parameter("flag") == "");
        CHECK_FALSE(target->parameter("missing"));
    }

    TEST_CASE("broken or hostile targets are refused") {
        CHECK_FALSE(parse_target(""));
        CHECK_FALSE(parse_target("ftp://example/v1"));
        CHECK_FALSE(parse_target("example/v1"));
        CHECK_FALSE(parse_target("http:///v1"));
        CHECK_FALSE(parse_target("*"));
        CHECK_FALSE(parse_target("/v1?a=%"));
        CHECK_FALSE(parse_target("/v1?a=%4"));
        CHECK_FALSE(parse_target("/v1?a=%zz"));
        CHECK_FALSE(parse_target("/" + std::string(5000, 'a')));
        std::string many = "/?";
        for (int i = 0; i < 40; ++i) many += "a=1&";
        CHECK_FALSE(parse_target(many));
        CHECK(parse_target("/v1?a=%41")->parameter("a") == "A");
    }

    TEST_CASE("an absolute-form target names the same path and parameters (RFC 9112 3.2.2)") {
        auto target = parse_target("http://127.0.0.1:8765/v1/snapshot?markets=KRW-BTC");
        REQUIRE(target);
        CHECK(target->path == "/v1/snapshot");
        CHECK(target->parameter("markets") == "KRW-BTC");
        CHECK(parse_target("HTTPS://example.com/healthz")->path == "/healthz");
        CHECK(parse_target("http://example.com")->path == "/");
    }
}
