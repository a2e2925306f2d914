#include "sise/cli/key_input.hpp"

namespace sise::cli {

namespace {

// Longest unfinished sequence we wait for; beyond it the bytes are dropped as garbage.
constexpr std::size_t max_sequence = 32;

}  // namespace

std::vector<key_press> key_decoder::feed(std::string_view bytes) {
    std::vector<key_press> keys;
    pending_.append(bytes);
    std::size_t at = 0;
    while (at < pending_.size()) {
        const char c = pending_[at];
        if (c != '\x1b') {
            // Printable ASCII only; other bytes (UTF-8 of other layouts, controls) are no keys.
            if (c >= 0x20 && c < 0x7f) keys.push_back({key::character, c});
            ++at;
            continue;
        }
        const std::string_view rest = std::string_view(pending_).substr(at);
        if (rest.size() == 1) break;             // a lone ESC so far: wait (or flush)
        if (rest[1] != '[' && rest[1] != 'O') {  // ESC then a key: Alt+key, taken as ESC
            keys.push_back({key::escape, 0});
            ++at;
            continue;
        }
        // CSI/SS3: parameters, then a final byte in 0x40..0x7e.
        std::size_t end = 2;
        while (end < rest.size() && !(rest[end] >= 0x40 && rest[end] <= 0x7e)) ++end;
        if (end >= rest.size()) {
            if (rest.size() >= max_sequence) {
                at += rest.size();  // not a sequence we know: dropped
                continue;
            }
            break;  // incomplete: wait for the rest
        }
        const std::string_view sequence = rest.substr(0, end + 1);
        at += sequence.size();
        const char final = sequence.back();
        const std::string_view params = sequence.substr(2, sequence.size() - 3);
        if (final == 'A')
            keys.push_back({key::up, 0});
        else if (final == 'B')
            keys.push_back({key::down, 0});
        else if (final == 'H')
            keys.push_back({key::home, 0});
        else if (final == 'F')
            keys.push_back({key::end, 0});
        else if (final == '~' && params == "5")
            keys.push_back({key::page_up, 0});
        else if (final == '~' && params == "6")
            keys.push_back({key::page_down, 0});
        else if (final == '~' && (params == "1" || params == "7"))
            keys.push_back({key::home, 0});
        else if (final == '~' && (params == "4" || params == "8"))
            keys.push_back({key::end, 0});
        // others (left, right, function keys) are not ours
    }
    pending_.erase(0, at);
    return keys;
}

std::vector<key_press> key_decoder::flush() {
    std::vector<key_press> keys;
    if (pending_ == "\x1b") keys.push_back({key::escape, 0});
    pending_.clear();
    return keys;
}

}  // namespace sise::cli
