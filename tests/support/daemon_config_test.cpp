#include "support/daemon_config.hpp"

#include <doctest/doctest.h>

using sise::test::daemon_config;
using sise::test::quoted;

TEST_SUITE("support") {
    TEST_CASE("the config builder writes tables and keys in the order they were first set") {
        const auto text = daemon_config()
                              .set("server", "port", 0)
                              .text("feeds.upbit", "websocket_url", "ws://127.0.0.1:1/ws")
                              .set("server", "publish_interval_ms", 20)
                              .set("feeds.upbit", "backfill", false)
                              .toml();
        CHECK(text ==
              "[server]\nport = 0\npublish_interval_ms = 20\n\n"
              "[feeds.upbit]\nwebsocket_url = \"ws://127.0.0.1:1/ws\"\nbackfill = false\n\n");
    }

    TEST_CASE(
        "a key set again replaces its value and lines go verbatim at the end of their table") {
        const auto text = daemon_config()
                              .set("server", "port", 0)
                              .lines("server", "max_clients = 3")
                              .set("server", "port", 8080)
                              .toml();
        CHECK(text == "[server]\nport = 8080\nmax_clients = 3\n\n");
    }

    TEST_CASE("strings are quoted with their quotes and backslashes escaped") {
        CHECK(quoted(R"(a"b\c)") == R"("a\"b\\c")");
    }
}
