// The completion handler every co_spawn in sise_io gets: an exception that escaped a
// coroutine (a bug, or bad_alloc) is logged with what the coroutine was doing, never lost
// as with asio::detached and never rethrown out of io_context::run.
#pragma once

#include <exception>
#include <functional>
#include <string>

namespace sise::io {

class log_escaped_exception {
public:
    // `what` names the coroutine ("upbit: backfill of KRW-BTC"); `after` runs once an
    // exception was logged, e.g. to mark a state.
    explicit log_escaped_exception(std::string what, std::function<void()> after = {})
        : what_(std::move(what)), after_(std::move(after)) {}

    void operator()(std::exception_ptr error) const;

private:
    std::string what_;
    std::function<void()> after_;
};

}  // namespace sise::io
