// Feeds arbitrary bytes to the websocket client-message parser (one parser reused across
// inputs, as on a live session) and, as a ?markets= list, to parse_selector_list. Whatever
// either accepts must be within subscription::max_selectors, and every selector must read
// back as itself when written out as text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contract.hpp"
#include "sise/publish/subscription.hpp"

namespace {

using sise::fuzz::check;
using sise::publish::market_selector;
using sise::publish::subscription;

std::string text_of(const market_selector& selector) {
    if (!selector.exchange) return selector.market;
    return std::string(sise::to_string(*selector.exchange)) + ":" + selector.market;
}

void check_subscription(const subscription& filter) {
    if (filter.everything()) {
        check(filter.selectors().empty(), "everything with selectors");
        return;
    }
    const auto& selectors = filter.selectors();
    check(!selectors.empty(), "no selectors and not everything");
    check(selectors.size() <= subscription::max_selectors, "more than max_selectors");
    std::string list;
    for (const auto& selector : selectors) {
        check(selector.market.size() <= subscription::max_selector_length, "selector too long");
        const auto again = sise::publish::parse_selector(text_of(selector));
        check(again && *again == selector, "selector text does not round trip");
        if (!list.empty()) list += ',';
        list += text_of(selector);
    }
    // The same selectors as a ?markets= list parse to the same subscription.
    const auto as_list = sise::publish::parse_selector_list(list);
    check(as_list && !as_list->everything() && as_list->selectors() == selectors,
          "selectors do not round trip as a list");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sise::publish::client_message_parser parser;
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    sise::publish::client_request request;
    boost::system::error_code ec;
    parser.parse(input, request, ec);
    if (!ec) check_subscription(request.filter);

    if (const auto list = sise::publish::parse_selector_list(input)) check_subscription(*list);
    return 0;
}
