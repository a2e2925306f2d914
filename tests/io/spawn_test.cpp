// The shared co_spawn completion handler: an escaped exception is logged, not lost or
// rethrown out of run(), and the follow-up runs.
#include "sise/io/spawn.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace {

boost::asio::awaitable<void> throws() {
    throw std::runtime_error("boom");
    co_return;
}

boost::asio::awaitable<void> returns() {
    co_return;
}

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("an exception escaping a coroutine is logged and runs the follow-up") {
        boost::asio::io_context context;
        int after_throw = 0;
        int after_return = 0;
        boost::asio::co_spawn(context, throws(),
                              sise::io::log_escaped_exception("test", [&] { ++after_throw; }));
        boost::asio::co_spawn(context, returns(),
                              sise::io::log_escaped_exception("test", [&] { ++after_return; }));
        CHECK_NOTHROW(context.run());
        CHECK(after_throw == 1);
        CHECK(after_return == 0);
    }
}
