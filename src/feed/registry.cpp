#include "sise/feed/registry.hpp"

#include "sise/feed/upbit.hpp"

namespace sise::feed {

std::unique_ptr<adapter> make_adapter(exchange_id exchange) {
    switch (exchange) {
        case exchange_id::upbit: return std::make_unique<upbit_adapter>();
        default: return nullptr;
    }
}

}  // namespace sise::feed
