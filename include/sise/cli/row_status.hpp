// What a published row's `status` (docs/protocol.md) means for the views: whether it is
// live, whether it has figures to show at all, and the short note beside a row that is not
// live. Pure. A status this client does not know is never taken for live.
#pragma once

#include <string>
#include <string_view>

#include "sise/cli/language.hpp"
#include "sise/cli/ticker_message.hpp"

namespace sise::cli {

enum class row_state {
    connecting,  // no data yet
    live,        // feed connected, values current
    stale,       // feed disconnected; values are the last known
    unlisted,    // the venue does not list the market: nothing will come
    no_data,     // the feed is connected but the market delivered nothing
    other,       // a status newer than this client: not live, shown as sent
};

row_state state_of(std::string_view status);

// False for rows whose price and change would mean nothing (unlisted, no_data): the views
// show "-" there, whatever the row carries.
bool shows_figures(row_state state);
inline bool shows_figures(const ticker_row& row) {
    return shows_figures(state_of(row.status));
}

// The note beside a row: "" when live; "연결 중"/"connecting", "연결 끊김"/"stale",
// "상장 안 됨"/"not listed", "데이터 없음"/"no data"; an unknown status as sent, sanitized.
std::string status_note(std::string_view status, language lang);

}  // namespace sise::cli
