// Keys of `sise watch` decoded from the bytes a terminal sends in raw mode: letters, arrows,
// Page Up/Down, Home/End (CSI and SS3 forms). Pure, so escape sequences split across reads
// are handled and tested without a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sise::cli {

enum class key { character, up, down, page_up, page_down, home, end, escape };

struct key_press {
    key what = key::character;
    char ch = 0;  // for key::character
    bool operator==(const key_press&) const = default;
};

class key_decoder {
public:
    // Keys completed by `bytes`; an incomplete escape sequence waits for the next bytes.
    std::vector<key_press> feed(std::string_view bytes);
    // No more bytes came soon after a lone ESC: it was the Escape key.
    std::vector<key_press> flush();

private:
    std::string pending_;
};

}  // namespace sise::cli
