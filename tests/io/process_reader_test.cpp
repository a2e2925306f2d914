#include "sise/io/process_reader.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <vector>

using namespace sise;

TEST_SUITE("io") {
    TEST_CASE("this process's own stats are read from /proc/self") {
        const auto before = io::read_process_stats();
        CHECK(before.resident_bytes > 0);
        CHECK(before.virtual_bytes >= before.resident_bytes);
        CHECK(before.open_fds >= 3);
        CHECK(before.cpu_seconds >= 0);

        // Ten more open fds are seen as ten more.
        std::vector<int> fds;
        for (int i = 0; i < 10; ++i) fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        const auto after = io::read_process_stats();
        for (int fd : fds) ::close(fd);
        CHECK(after.open_fds == before.open_fds + 10);
    }
}
