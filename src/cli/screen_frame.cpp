#include "sise/cli/screen_frame.hpp"

#include <fmt/format.h>

#include "sise/cli/text_width.hpp"

namespace sise::cli {

namespace {

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte).
std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

// Unchanged cells rewritten rather than jumped over when a run of changes is this close to
// the next: a cursor move costs about as many bytes.
constexpr std::size_t join_gap = 4;

}  // namespace

screen_frame::screen_frame(std::size_t width, std::size_t height)
    : width_(width), height_(height), cells_(width * height) {}

std::size_t screen_frame::put(std::size_t row, std::size_t col, std::string_view utf8,
                              cell_style style) {
    if (row >= height_) return col;
    std::size_t at = 0;
    while (at < utf8.size() && col < width_) {
        const std::size_t length =
            std::min(sequence_length(static_cast<unsigned char>(utf8[at])), utf8.size() - at);
        const std::string_view glyph = utf8.substr(at, length);
        at += length;
        const std::size_t columns = display_width(glyph);
        if (columns == 0) continue;
        screen_cell& cell = cells_[row * width_ + col];
        if (columns == 2 && col + 1 >= width_) {  // half a wide glyph would not show
            cell = {" ", style};
            ++col;
            break;
        }
        cell = {std::string(glyph), style};
        if (columns == 2) cells_[row * width_ + col + 1] = {"", style};
        col += columns;
    }
    return col;
}

std::string screen_frame::text() const {
    std::string out;
    for (std::size_t row = 0; row < height_; ++row) {
        std::string line;
        for (std::size_t col = 0; col < width_; ++col) line += at(row, col).glyph;
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line;
        out += '\n';
    }
    return out;
}

std::string sgr(const cell_style& style) {
    std::string out = "\x1b[0";
    if (style.bold) out += ";1";
    if (style.dim) out += ";2";
    if (style.reverse) out += ";7";
    if (style.color != 0) fmt::format_to(std::back_inserter(out), ";{}", style.color);
    out += 'm';
    return out;
}

std::string diff_frames(const screen_frame* before, const screen_frame& after) {
    const bool full =
        before == nullptr || before->width() != after.width() || before->height() != after.height();
    std::string out;
    cell_style current;
    bool style_known = false;
    if (full) {
        out += "\x1b[0m\x1b[H\x1b[2J";
        style_known = true;
    }
    const auto changed = [&](std::size_t row, std::size_t col) {
        if (full) return !(after.at(row, col) == screen_cell{});  // the clear left blanks
        return !(before->at(row, col) == after.at(row, col));
    };
    const auto emit = [&](std::size_t row, std::size_t first, std::size_t last) {
        // A run never starts on the second half of a wide glyph: the glyph is rewritten whole.
        while (first > 0 && after.at(row, first).glyph.empty()) --first;
        fmt::format_to(std::back_inserter(out), "\x1b[{};{}H", row + 1, first + 1);
        for (std::size_t col = first; col <= last && col < after.width(); ++col) {
            const screen_cell& cell = after.at(row, col);
            if (cell.glyph.empty()) continue;
            if (!style_known || !(cell.style == current)) {
                out += sgr(cell.style);
                current = cell.style;
                style_known = true;
            }
            out += cell.glyph;
        }
    };
    for (std::size_t row = 0; row < after.height(); ++row) {
        std::size_t col = 0;
        while (col < after.width()) {
            if (!changed(row, col)) {
                ++col;
                continue;
            }
            const std::size_t first = col;
            std::size_t last = col;
            for (std::size_t next = col + 1; next < after.width() && next <= last + join_gap;
                 ++next)
                if (changed(row, next)) last = next;
            // A wide glyph written at the end covers the next column too.
            if (last + 1 < after.width() && after.at(row, last + 1).glyph.empty()) ++last;
            emit(row, first, last);
            col = last + 1;
        }
    }
    if (style_known && !(current == cell_style{})) out += "\x1b[0m";
    return out;
}

}  // namespace sise::cli
