#include "sise/redis/endpoint.hpp"

#include <doctest/doctest.h>

using namespace sise::redis;

TEST_SUITE("redis") {
    TEST_CASE("a plain redis URL gives host, port and database, without a password") {
        const auto at = parse_endpoint("redis://127.0.0.1:6380/2");
        REQUIRE(at);
        CHECK(at->host == "127.0.0.1");
        CHECK(at->port == "6380");
        CHECK(at->db == 2);
        CHECK(at->password.empty());
        CHECK_FALSE(at->tls);
    }

    TEST_CASE("the port defaults to 6379 and the database to 0") {
        const auto at = parse_endpoint("redis://cache.internal");
        REQUIRE(at);
        CHECK(at->host == "cache.internal");
        CHECK(at->port == "6379");
        CHECK(at->db == 0);
    }

    TEST_CASE("a password, with or without a user name, and rediss:// for TLS") {
        const auto bare = parse_endpoint("redis://:s3cret@127.0.0.1:6379/0");
        REQUIRE(bare);
        CHECK(bare->username.empty());
        CHECK(bare->password == "s3cret");
        const auto user = parse_endpoint("rediss://sise:pw@[::1]:6390/1");
        REQUIRE(user);
        CHECK(user->tls);
        CHECK(user->username == "sise");
        CHECK(user->password == "pw");
        CHECK(user->host == "::1");
        CHECK(user->port == "6390");
        CHECK(user->db == 1);
    }

    TEST_CASE("other schemes, empty hosts, bad ports and databases are refused") {
        CHECK_FALSE(parse_endpoint("http://127.0.0.1:6379"));
        CHECK_FALSE(parse_endpoint("redis://"));
        CHECK_FALSE(parse_endpoint("redis://:pw@:6379"));
        CHECK_FALSE(parse_endpoint("redis://host:0"));
        CHECK_FALSE(parse_endpoint("redis://host:70000"));
        CHECK_FALSE(parse_endpoint("redis://host:63a9"));
        CHECK_FALSE(parse_endpoint("redis://host:"));
        CHECK_FALSE(parse_endpoint("redis://host/x"));
        CHECK_FALSE(parse_endpoint("redis://host/-1"));
    }
}
