// Subscribers with the same filter share one encoding of each publication: one group per
// distinct filter (the same selectors in any order), holding the frame made for the latest
// publication. One set of groups per thread of subscribers; a group ends with its last member.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "sise/publish/subscription.hpp"
#include "sise/publish/ws_frame.hpp"

namespace sise::publish {

// A group's encoding of the publication `seq` for the row identities it was matched against.
struct filter_encoding {
    std::uint64_t seq = 0;
    const void* identities = nullptr;
    shared_frame frame;
};

class filter_groups {
public:
    // The group of `filter` (an unfiltered subscription needs none: null).
    std::shared_ptr<filter_encoding> join(const subscription& filter);
    std::size_t size() const noexcept { return groups_.size(); }

private:
    // Keyed by the sorted selectors; at most one entry per live subscriber.
    std::map<std::string, std::shared_ptr<filter_encoding>, std::less<>> groups_;
};

}  // namespace sise::publish
