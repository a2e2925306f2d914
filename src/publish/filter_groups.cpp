#include "sise/publish/filter_groups.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace sise::publish {
namespace {

std::string key_of(const subscription& filter) {
    std::vector<std::string> parts;
    parts.reserve(filter.selectors().size());
    for (const auto& selector : filter.selectors())
        parts.push_back((selector.exchange ? std::string(to_string(*selector.exchange)) : "") +
                        ':' + selector.market);
    std::sort(parts.begin(), parts.end());
    parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
    std::string key;
    for (const auto& part : parts) (key += part) += ',';
    return key;
}

}  // namespace

std::shared_ptr<filter_encoding> filter_groups::join(const subscription& filter) {
    if (filter.everything()) return nullptr;
    // Joining is rare (a subscribe message): drop the groups nobody holds any more here.
    std::erase_if(groups_, [](const auto& entry) { return entry.second.use_count() == 1; });
    auto& group = groups_[key_of(filter)];
    if (!group) group = std::make_shared<filter_encoding>();
    return group;
}

}  // namespace sise::publish
