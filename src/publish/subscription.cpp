#include "sise/publish/subscription.hpp"

#include <algorithm>
#include <utility>

#include "sise/core/error.hpp"

namespace sise::publish {
namespace {

bool valid_market_code(std::string_view code) {
    if (code.empty() || code.size() > subscription::max_selector_length) return false;
    return std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '/' || c == '.';
    });
}

}  // namespace

subscription::subscription(std::vector<market_selector> selectors)
    : everything_(false), selectors_(std::move(selectors)) {}

bool subscription::matches(exchange_id exchange, std::string_view market,
                           bool retired) const noexcept {
    if (retired) return false;  // dropped from the configuration by a reload
    if (everything_) return true;
    return std::any_of(selectors_.begin(), selectors_.end(), [&](const market_selector& s) {
        return (!s.exchange || *s.exchange == exchange) && s.market == market;
    });
}

std::optional<market_selector> parse_selector(std::string_view text) {
    market_selector selector;
    if (auto colon = text.find(':'); colon != std::string_view::npos) {
        selector.exchange = exchange_from_string(text.substr(0, colon));
        if (!selector.exchange) return std::nullopt;
        text.remove_prefix(colon + 1);
    }
    if (!valid_market_code(text)) return std::nullopt;
    selector.market = text;
    return selector;
}

std::optional<subscription> parse_selector_list(std::string_view text) {
    if (text.empty() || text == "*") return subscription{};
    std::vector<market_selector> selectors;
    while (!text.empty()) {
        auto comma = text.find(',');
        auto item = text.substr(0, comma);
        if (selectors.size() == subscription::max_selectors) return std::nullopt;
        auto selector = parse_selector(item);
        if (!selector) return std::nullopt;
        selectors.push_back(std::move(*selector));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
        if (text.empty()) return std::nullopt;  // trailing comma
    }
    return subscription{std::move(selectors)};
}

void client_message_parser::parse(std::string_view message, client_request& request,
                                  boost::system::error_code& ec) {
    ec = {};
    if (message.size() > max_message_bytes) {
        ec = errc::frame_too_large;
        return;
    }
    // The DOM parser validates the whole message (trailing garbage included); client
    // messages are rare, so its cost does not matter.
    simdjson::dom::element root;
    simdjson::dom::object object;
    if (parser_.parse(message.data(), message.size(), true).get(root) || root.get(object)) {
        ec = errc::malformed_frame;
        return;
    }
    std::string_view type;
    if (object["type"].get(type) || type != "subscribe") {
        ec = errc::malformed_frame;
        return;
    }
    simdjson::dom::element markets_field;
    if (object["markets"].get(markets_field)) {  // absent: everything
        request.filter = subscription{};
        return;
    }
    simdjson::dom::array markets;
    if (markets_field.get(markets) || markets.size() > subscription::max_selectors) {
        ec = errc::malformed_frame;
        return;
    }
    bool everything = markets.size() == 0;
    std::vector<market_selector> selectors;
    for (auto item : markets) {
        std::string_view text;
        if (item.get(text)) {
            ec = errc::malformed_frame;
            return;
        }
        if (text == "*") {
            everything = true;
            continue;
        }
        auto selector = parse_selector(text);
        if (!selector) {
            ec = errc::malformed_frame;
            return;
        }
        selectors.push_back(std::move(*selector));
    }
    request.filter = everything ? subscription{} : subscription{std::move(selectors)};
}

}  // namespace sise::publish
