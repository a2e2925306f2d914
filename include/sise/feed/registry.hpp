// Which exchanges have an adapter. Adding an exchange = one adapter file plus one line in
// registry.cpp; tests (and later plug-ins) may register more at run time.
#pragma once

#include <memory>

#include "sise/core/exchange.hpp"
#include "sise/feed/adapter.hpp"

namespace sise::feed {

using adapter_factory = std::unique_ptr<adapter> (*)(const adapter_options& options);

// nullptr for an exchange without an adapter yet.
std::unique_ptr<adapter> make_adapter(exchange_id exchange, const adapter_options& options = {});
bool has_adapter(exchange_id exchange) noexcept;

// Registers `factory` for `exchange` for as long as it lives, replacing the built-in one if
// any; the previous factory comes back on destruction. Not thread-safe: register at start-up.
class adapter_registration {
public:
    adapter_registration(exchange_id exchange, adapter_factory factory) noexcept;
    ~adapter_registration();
    adapter_registration(const adapter_registration&) = delete;
    adapter_registration& operator=(const adapter_registration&) = delete;

private:
    exchange_id exchange_;
    adapter_factory previous_;
};

}  // namespace sise::feed
