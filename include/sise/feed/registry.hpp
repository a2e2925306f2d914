// Which exchanges have an adapter. Adding an exchange = one adapter file plus one line here.
#pragma once

#include <memory>

#include "sise/core/exchange.hpp"
#include "sise/feed/adapter.hpp"

namespace sise::feed {

// nullptr for an exchange without an adapter yet.
std::unique_ptr<adapter> make_adapter(exchange_id exchange);

}  // namespace sise::feed
