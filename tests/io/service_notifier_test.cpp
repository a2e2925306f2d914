#include "sise/io/service_notifier.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

using namespace sise;
using namespace std::chrono_literals;

namespace {

// A NOTIFY_SOCKET as systemd opens it: an AF_UNIX datagram socket bound to `name`.
class notify_listener {
public:
    explicit notify_listener(const std::string& name) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        const auto address = io::parse_notify_socket(name);
        REQUIRE(address);
        REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address->address),
                       address->length) == 0);
    }
    ~notify_listener() { ::close(fd_); }
    notify_listener(const notify_listener&) = delete;
    notify_listener& operator=(const notify_listener&) = delete;

    // The next datagram, or "" when none comes within two seconds.
    std::string receive() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1) return {};
        char buffer[4096];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string{};
    }

private:
    int fd_ = -1;
};

std::string temp_socket_path() {
    char dir[] = "/tmp/sise-notify-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    return std::string(dir) + "/notify";
}

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("notify messages are the protocol's assignments, one per line") {
        CHECK(io::notify_message::ready == "READY=1");
        CHECK(io::notify_message::watchdog == "WATCHDOG=1");
        CHECK(io::notify_message::stopping == "STOPPING=1");
        CHECK(io::notify_message::status("upbit live") == "STATUS=upbit live");
        CHECK(io::notify_message::reloading(123'456'789) ==
              "RELOADING=1\nMONOTONIC_USEC=123456789");
        CHECK(io::notify_message::ready_with_status("upbit connecting") ==
              "READY=1\nSTATUS=upbit connecting");
    }

    TEST_CASE("a status text cannot smuggle a second assignment and is bounded") {
        CHECK(io::notify_message::status("a\nREADY=1\rb") == "STATUS=a READY=1 b");
        const std::string long_text(io::notify_message::max_status_bytes + 100, 'x');
        CHECK(io::notify_message::status(long_text).size() ==
              7 + io::notify_message::max_status_bytes);
    }

    TEST_CASE("the watchdog is pinged at half of WATCHDOG_USEC, for this pid only") {
        CHECK(io::watchdog_ping_interval("30000000", std::nullopt, 42) == 15s);
        CHECK(io::watchdog_ping_interval("30000000", "42", 42) == 15s);
        CHECK(io::watchdog_ping_interval("3", "42", 42) == 1us);
        CHECK_FALSE(io::watchdog_ping_interval("30000000", "43", 42));
        CHECK_FALSE(io::watchdog_ping_interval(std::nullopt, "42", 42));
        CHECK_FALSE(io::watchdog_ping_interval("0", std::nullopt, 42));
        CHECK_FALSE(io::watchdog_ping_interval("-5", std::nullopt, 42));
        CHECK_FALSE(io::watchdog_ping_interval("30s", std::nullopt, 42));
        CHECK_FALSE(io::watchdog_ping_interval("", std::nullopt, 42));
        CHECK_FALSE(io::watchdog_ping_interval("30000000", "x", 42));
    }

    TEST_CASE("the watchdog interval is read from this process's environment") {
        ::setenv("WATCHDOG_USEC", "4000000", 1);
        ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
        CHECK(io::watchdog_ping_interval_from_environment() == 2s);
        ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
        CHECK_FALSE(io::watchdog_ping_interval_from_environment());
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
        CHECK_FALSE(io::watchdog_ping_interval_from_environment());
    }

    TEST_CASE("NOTIFY_SOCKET is a path or an abstract @name, nothing else") {
        const auto path = io::parse_notify_socket("/run/systemd/notify");
        REQUIRE(path);
        CHECK(std::string(path->address.sun_path) == "/run/systemd/notify");
        CHECK(path->length == offsetof(sockaddr_un, sun_path) + 20);

        const auto abstract = io::parse_notify_socket("@sise/notify");
        REQUIRE(abstract);
        CHECK(abstract->address.sun_path[0] == '\0');
        CHECK(std::string(abstract->address.sun_path + 1, 11) == "sise/notify");
        CHECK(abstract->length == offsetof(sockaddr_un, sun_path) + 12);

        CHECK_FALSE(io::parse_notify_socket(""));
        CHECK_FALSE(io::parse_notify_socket("@"));
        CHECK_FALSE(io::parse_notify_socket("relative/notify"));
        CHECK_FALSE(io::parse_notify_socket("vsock:2:1234"));
        CHECK_FALSE(io::parse_notify_socket("/" + std::string(sizeof(sockaddr_un::sun_path), 'x')));
    }

    TEST_CASE("a disabled notifier sends nothing and reports no error") {
        io::service_notifier notifier;
        CHECK_FALSE(notifier.enabled());
        CHECK_FALSE(notifier.ready());
        CHECK_FALSE(notifier.watchdog());
    }

    TEST_CASE("a notifier delivers each message as one datagram to a path socket") {
        const std::string path = temp_socket_path();
        {
            notify_listener listener(path);
            io::service_notifier notifier(path);
            REQUIRE(notifier.enabled());
            CHECK_FALSE(notifier.ready("listening on 127.0.0.1:8765"));
            CHECK(listener.receive() == "READY=1\nSTATUS=listening on 127.0.0.1:8765");
            CHECK_FALSE(notifier.watchdog());
            CHECK(listener.receive() == "WATCHDOG=1");
            CHECK_FALSE(notifier.reloading());
            const std::string reloading = listener.receive();
            CHECK(reloading.starts_with("RELOADING=1\nMONOTONIC_USEC="));
            CHECK(std::strtoll(reloading.c_str() + 27, nullptr, 10) > 0);
            CHECK_FALSE(notifier.status("upbit live"));
            CHECK(listener.receive() == "STATUS=upbit live");
            CHECK_FALSE(notifier.stopping());
            CHECK(listener.receive() == "STOPPING=1");
        }
        std::filesystem::remove_all(std::filesystem::path(path).parent_path());
    }

    TEST_CASE("a notifier reaches an abstract socket named with @") {
        const std::string name = "@sise-notify-test-" + std::to_string(::getpid());
        notify_listener listener(name);
        io::service_notifier notifier(name);
        CHECK_FALSE(notifier.watchdog());
        CHECK(listener.receive() == "WATCHDOG=1");
    }

    TEST_CASE("a notifier whose listener is gone returns the error instead of throwing") {
        const std::string path = temp_socket_path();
        io::service_notifier notifier(path);
        CHECK(notifier.ready() == boost::system::errc::no_such_file_or_directory);
        std::filesystem::remove_all(std::filesystem::path(path).parent_path());
    }

    TEST_CASE("a notifier is made from NOTIFY_SOCKET and is disabled without it") {
        const std::string name = "@sise-notify-env-" + std::to_string(::getpid());
        notify_listener listener(name);
        ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
        auto notifier = io::service_notifier::from_environment();
        ::unsetenv("NOTIFY_SOCKET");
        CHECK(notifier.enabled());
        CHECK_FALSE(notifier.stopping());
        CHECK(listener.receive() == "STOPPING=1");
        CHECK_FALSE(io::service_notifier::from_environment().enabled());
        CHECK_THROWS_AS(io::service_notifier("not-a-socket"), std::runtime_error);
    }
}
