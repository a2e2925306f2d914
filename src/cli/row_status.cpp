#include "sise/cli/row_status.hpp"

#include "sise/cli/text_width.hpp"

namespace sise::cli {

row_state state_of(std::string_view status) {
    if (status == "live") return row_state::live;
    if (status == "connecting") return row_state::connecting;
    if (status == "stale") return row_state::stale;
    if (status == "unlisted") return row_state::unlisted;
    if (status == "no_data") return row_state::no_data;
    return row_state::other;
}

bool shows_figures(row_state state) {
    return state != row_state::unlisted && state != row_state::no_data;
}

std::string status_note(std::string_view status, language lang) {
    const bool ko = lang == language::ko;
    switch (state_of(status)) {
        case row_state::live:
            return "";
        case row_state::connecting:
            return ko ? "연결 중" : "connecting";
        case row_state::stale:
            return ko ? "연결 끊김" : "stale";
        case row_state::unlisted:
            return ko ? "상장 안 됨" : "not listed";
        case row_state::no_data:
            return ko ? "데이터 없음" : "no data";
        case row_state::other:
            break;
    }
    return sanitize_for_terminal(status);
}

}  // namespace sise::cli
