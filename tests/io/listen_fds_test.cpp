#include "sise/io/listen_fds.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

using namespace sise;

TEST_SUITE("io") {
    TEST_CASE("passed fds start at 3 and take their names from LISTEN_FDNAMES") {
        const auto fds = io::parse_listen_fds("42", "2", "http:metrics", 42);
        REQUIRE(fds);
        REQUIRE(fds->size() == 2);
        CHECK((*fds)[0].fd == 3);
        CHECK((*fds)[0].name == "http");
        CHECK((*fds)[1].fd == 4);
        CHECK((*fds)[1].name == "metrics");

        const auto unnamed = io::parse_listen_fds("42", "1", std::nullopt, 42);
        REQUIRE(unnamed);
        REQUIRE(unnamed->size() == 1);
        CHECK((*unnamed)[0].name == "unknown");
    }

    TEST_CASE("fds meant for another pid, or none at all, are not adopted") {
        CHECK(io::parse_listen_fds("41", "1", "http", 42)->empty());
        CHECK(io::parse_listen_fds(std::nullopt, "1", std::nullopt, 42)->empty());
        CHECK(io::parse_listen_fds("42", std::nullopt, std::nullopt, 42)->empty());
        CHECK(io::parse_listen_fds("42", "0", std::nullopt, 42)->empty());
    }

    TEST_CASE("malformed socket activation variables are refused") {
        CHECK_FALSE(io::parse_listen_fds("x", "1", std::nullopt, 42));
        CHECK_FALSE(io::parse_listen_fds("42", "one", std::nullopt, 42));
        CHECK_FALSE(io::parse_listen_fds("42", "-1", std::nullopt, 42));
        CHECK_FALSE(io::parse_listen_fds("42", "65", std::nullopt, 42));
        CHECK_FALSE(io::parse_listen_fds("42", "2", "http", 42));
        CHECK_FALSE(io::parse_listen_fds("42", "1", "http:metrics", 42));
    }

    TEST_CASE("taking the passed fds marks them close-on-exec and clears the variables") {
        // Put a socket at fd 3, as systemd would, unless the runner already holds fd 3.
        int sockets[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) == 0);
        const int saved = ::fcntl(3, F_DUPFD_CLOEXEC, 100);  // -1 when fd 3 was closed
        REQUIRE(::dup2(sockets[0], 3) == 3);
        ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
        ::setenv("LISTEN_FDS", "1", 1);
        ::setenv("LISTEN_FDNAMES", "http", 1);

        const auto fds = io::take_listen_fds();
        REQUIRE(fds.size() == 1);
        CHECK(fds[0].fd == 3);
        CHECK(fds[0].name == "http");
        CHECK((::fcntl(3, F_GETFD) & FD_CLOEXEC) != 0);
        CHECK(std::getenv("LISTEN_PID") == nullptr);
        CHECK(std::getenv("LISTEN_FDS") == nullptr);
        CHECK(std::getenv("LISTEN_FDNAMES") == nullptr);
        CHECK(io::take_listen_fds().empty());

        if (saved >= 0) {
            ::dup2(saved, 3);
            ::close(saved);
        } else {
            ::close(3);
        }
        ::close(sockets[0]);
        ::close(sockets[1]);
    }

    TEST_CASE("malformed variables fail start-up and are cleared all the same") {
        ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
        ::setenv("LISTEN_FDS", "lots", 1);
        CHECK_THROWS_AS(io::take_listen_fds(), std::runtime_error);
        CHECK(std::getenv("LISTEN_FDS") == nullptr);
    }

    TEST_CASE("only a listening TCP socket passes the adoption check") {
        const int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(tcp >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(tcp, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
        CHECK(io::listening_tcp_problem(tcp) == "is not listening");
        REQUIRE(::listen(tcp, 4) == 0);
        CHECK(io::listening_tcp_problem(tcp).empty());

        int pair[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        CHECK(io::listening_tcp_problem(pair[0]) == "is not a TCP socket (IPv4 or IPv6)");
        const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CHECK(io::listening_tcp_problem(udp) == "is not a stream socket");
        int pipe_fds[2];
        REQUIRE(::pipe(pipe_fds) == 0);
        CHECK(io::listening_tcp_problem(pipe_fds[0]) == "is not a socket (or not open)");
        for (int fd : {tcp, pair[0], pair[1], udp, pipe_fds[0], pipe_fds[1]}) ::close(fd);
    }
}
