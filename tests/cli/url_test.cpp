// --url values: what the client connects to, and what it refuses before any I/O.
#include "sise/cli/url.hpp"

#include <doctest/doctest.h>

#include <string>

using sise::cli::parse_http_url;

TEST_SUITE("cli") {
    TEST_CASE("the default daemon address splits into host, port and target") {
        std::string why;
        const auto url = parse_http_url("http://127.0.0.1:8765", why);
        REQUIRE(url);
        CHECK(url->host == "127.0.0.1");
        CHECK(url->port == "8765");
        CHECK(url->host_header == "127.0.0.1:8765");
        CHECK(url->target("/v1/snapshot") == "/v1/snapshot");
    }

    TEST_CASE("a URL without a port uses 80 and a path becomes a prefix") {
        std::string why;
        const auto url = parse_http_url("HTTP://localhost/sise/", why);
        REQUIRE(url);
        CHECK(url->host == "localhost");
        CHECK(url->port == "80");
        CHECK(url->host_header == "localhost");
        CHECK(url->target("/v1/snapshot") == "/sise/v1/snapshot");
    }

    TEST_CASE("an IPv6 literal is unbracketed for the resolver but not for the Host header") {
        std::string why;
        const auto url = parse_http_url("http://[::1]:9000", why);
        REQUIRE(url);
        CHECK(url->host == "::1");
        CHECK(url->port == "9000");
        CHECK(url->host_header == "[::1]:9000");
    }

    TEST_CASE("the scheme may be left out") {
        std::string why;
        const auto url = parse_http_url("127.0.0.1:8765", why);
        REQUIRE(url);
        CHECK(url->host == "127.0.0.1");
        CHECK(url->port == "8765");
    }

    TEST_CASE("URLs the client cannot use are refused with a reason") {
        for (const char* bad :
             {"https://127.0.0.1:8765", "ftp://host", "http://", "http://:8765", "http://host:0",
              "http://host:65536", "http://host:80x", "http://host:", "http://user@host",
              "http://host/a?b=c", "http://[::1", "http://ho st", "http://host/a b"}) {
            CAPTURE(bad);
            std::string why;
            CHECK_FALSE(parse_http_url(bad, why));
            CHECK_FALSE(why.empty());
        }
    }

}  // TEST_SUITE
