#include "sise/io/spawn.hpp"

#include "sise/io/log.hpp"

namespace sise::io {

void log_escaped_exception::operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        log(log_level::error, "{} stopped by an unexpected error: {}", what_, e.what());
    } catch (...) {
        log(log_level::error, "{} stopped by an unexpected non-standard exception", what_);
    }
    if (after_) after_();
}

}  // namespace sise::io
