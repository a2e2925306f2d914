#include "sise/io/redis_connection.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sise::io;

TEST_SUITE("io") {
    TEST_CASE("commands are RESP arrays of bulk strings, binary-safe, appended as a pipeline") {
        std::string out;
        append_command(out, {"PING"});
        CHECK(out == "*1\r\n$4\r\nPING\r\n");
        const std::string payload("a\r\nb\0c", 6);
        append_command(out, {"PUBLISH", "sise:tick:upbit:KRW-BTC", payload});
        std::string expected =
            "*1\r\n$4\r\nPING\r\n*3\r\n$7\r\nPUBLISH\r\n$23\r\nsise:tick:upbit:KRW-BTC\r\n$6\r\n";
        expected += payload;
        expected += "\r\n";
        CHECK(out == expected);
        std::vector<std::string_view> args{"HSET", "k", "", "v"};
        std::string hset;
        append_command(hset, args);
        CHECK(hset == "*4\r\n$4\r\nHSET\r\n$1\r\nk\r\n$0\r\n\r\n$1\r\nv\r\n");
    }
}
