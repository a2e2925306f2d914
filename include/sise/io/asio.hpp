// Short names for the Asio/Beast vocabulary used across sise_io. Asio and Beast are compiled
// once (src/io/asio_impl.cpp); including this costs declarations only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace sise::io {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

}  // namespace sise::io
