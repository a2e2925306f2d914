// One frame of a full-screen view as a grid of cells (a glyph and its style per terminal
// column), and the bytes that turn one frame into the next on a terminal: only the cells
// that changed are written. Pure: no terminal is touched; `sise watch` writes the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sise::cli {

struct cell_style {
    std::uint8_t color = 0;  // SGR foreground (31 red, 32 green, 34 blue...); 0: default
    bool bold = false;
    bool dim = false;
    bool reverse = false;
    bool operator==(const cell_style&) const = default;
};

struct screen_cell {
    // One code point's UTF-8 (" " when blank). "" marks the second column of the wide glyph
    // on its left.
    std::string glyph = " ";
    cell_style style;
    bool operator==(const screen_cell&) const = default;
};

class screen_frame {
public:
    screen_frame() = default;
    screen_frame(std::size_t width, std::size_t height);

    std::size_t width() const noexcept { return width_; }
    std::size_t height() const noexcept { return height_; }
    const screen_cell& at(std::size_t row, std::size_t col) const {
        return cells_[row * width_ + col];
    }

    // Writes UTF-8 text from (row, col), clipped at the right edge (a wide glyph that does
    // not fit whole becomes a blank); returns the column after the last one written. Text
    // must be sanitized (sanitize_for_terminal); zero-width code points are dropped.
    std::size_t put(std::size_t row, std::size_t col, std::string_view utf8, cell_style style);

    // The frame's rows as plain text, trailing blanks cut (for tests and the piped output).
    std::string text() const;

private:
    std::size_t width_ = 0;
    std::size_t height_ = 0;
    std::vector<screen_cell> cells_;
};

// The SGR sequence that sets `style` from any previous one ("\x1b[0;1;31m").
std::string sgr(const cell_style& style);

// Bytes that change the terminal from showing `before` to showing `after`: cursor moves,
// style changes and glyphs of the changed cells only. Runs of changes closer than a cursor
// move are joined. A `before` of another size (or none) repaints everything after clearing.
std::string diff_frames(const screen_frame* before, const screen_frame& after);

}  // namespace sise::cli
