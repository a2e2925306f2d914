// Frames as cell grids, and the bytes that turn one frame into the next.
#include "sise/cli/screen_frame.hpp"

#include <doctest/doctest.h>

#include <string>

using sise::cli::cell_style;
using sise::cli::diff_frames;
using sise::cli::screen_frame;

namespace {

cell_style red() {
    cell_style s;
    s.color = 31;
    return s;
}

// Applies diff bytes to a grid of glyphs, as a terminal would (CUP, SGR ignored, glyphs),
// so a test can check that the diff really produces the new frame.
struct fake_screen {
    std::vector<std::vector<std::string>> cells;
    fake_screen(std::size_t w, std::size_t h) : cells(h, std::vector<std::string>(w, " ")) {}
    void apply(const std::string& bytes) {
        std::size_t row = 0, col = 0, i = 0;
        while (i < bytes.size()) {
            if (bytes[i] == '\x1b') {
                std::size_t end = i + 2;
                while (end < bytes.size() && !(bytes[end] >= 0x40 && bytes[end] <= 0x7e)) ++end;
                const std::string params = bytes.substr(i + 2, end - i - 2);
                if (bytes[end] == 'H') {
                    if (params.empty())
                        row = col = 0;
                    else {
                        row = std::stoul(params.substr(0, params.find(';'))) - 1;
                        col = std::stoul(params.substr(params.find(';') + 1)) - 1;
                    }
                } else if (bytes[end] == 'J') {
                    for (auto& line : cells) std::fill(line.begin(), line.end(), " ");
                }
                i = end + 1;
                continue;
            }
            std::size_t len = 1;
            const auto lead = static_cast<unsigned char>(bytes[i]);
            if (lead >= 0xE0)
                len = 3;
            else if (lead >= 0xC0)
                len = 2;
            const std::string glyph = bytes.substr(i, len);
            i += len;
            cells[row][col] = glyph;
            col += len == 3 ? 2 : 1;  // Hangul in these tests is wide
            if (len == 3) cells[row][col - 1] = "";
        }
    }
    std::string text() const {
        std::string out;
        for (const auto& line : cells) {
            std::string s;
            for (const auto& c : line) s += c;
            while (!s.empty() && s.back() == ' ') s.pop_back();
            out += s + "\n";
        }
        return out;
    }
};

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("text is placed by display width and clipped at the right edge") {
        screen_frame f(8, 2);
        CHECK(f.put(0, 0, "비트abc", {}) == 7);
        CHECK(f.at(0, 0).glyph == "비");
        CHECK(f.at(0, 1).glyph.empty());  // second column of the wide glyph
        CHECK(f.put(1, 5, "abcdef", {}) == 8);
        CHECK(f.text() == "비트abc\n     abc\n");
        // Half a wide glyph at the edge is a blank, never a glyph spilling over.
        screen_frame g(3, 1);
        g.put(0, 0, "a비트", {});
        CHECK(g.text() == "a비\n");
        CHECK(g.at(0, 2).glyph.empty());
        screen_frame h(2, 1);
        h.put(0, 1, "비", {});
        CHECK(h.text() == "\n");
    }

    TEST_CASE("a first frame is painted whole after a clear") {
        screen_frame f(10, 2);
        f.put(0, 0, "hello", {});
        const std::string bytes = diff_frames(nullptr, f);
        CHECK(bytes.starts_with("\x1b[0m\x1b[H\x1b[2J"));
        fake_screen screen(10, 2);
        screen.apply(bytes);
        CHECK(screen.text() == f.text());
    }

    TEST_CASE("an unchanged frame costs no bytes") {
        screen_frame f(20, 3);
        f.put(1, 2, "비트코인 150,000", red());
        CHECK(diff_frames(&f, f).empty());
    }

    TEST_CASE("only the changed cells are written at their place") {
        screen_frame before(30, 3);
        before.put(1, 0, "비트코인  150,139,000", {});
        screen_frame after = before;
        after.put(1, 10, "150,141,000", red());
        const std::string bytes = diff_frames(&before, after);
        // Row 2 (1-based), from the first changed column; the unchanged name is not resent.
        CHECK(bytes.find("\x1b[2;") != std::string::npos);
        CHECK(bytes.find("비트") == std::string::npos);
        CHECK(bytes.size() < 40);
        fake_screen screen(30, 3);
        screen.apply(diff_frames(nullptr, before));
        screen.apply(bytes);
        CHECK(screen.text() == after.text());
        CHECK(bytes.find("\x1b[0;31m") != std::string::npos);
        CHECK(bytes.ends_with("\x1b[0m"));
    }

    TEST_CASE("a change inside a wide glyph rewrites the whole glyph") {
        screen_frame before(10, 1);
        before.put(0, 0, "비트", {});
        screen_frame after(10, 1);
        after.put(0, 0, "비a ", {});
        after.put(0, 3, " ", {});
        fake_screen screen(10, 1);
        screen.apply(diff_frames(nullptr, before));
        screen.apply(diff_frames(&before, after));
        CHECK(screen.text() == after.text());

        // The other way: a narrow glyph replaced by a wide one that starts a column earlier.
        screen_frame wide(10, 1);
        wide.put(0, 0, "a트", {});
        fake_screen again(10, 1);
        again.apply(diff_frames(nullptr, after));
        again.apply(diff_frames(&after, wide));
        CHECK(again.text() == wide.text());
    }

    TEST_CASE("changes a few cells apart are written as one run") {
        screen_frame before(20, 1);
        before.put(0, 0, "1234567890", {});
        screen_frame after = before;
        after.put(0, 1, "x", {});
        after.put(0, 4, "y", {});
        const std::string bytes = diff_frames(&before, after);
        CHECK(bytes == "\x1b[1;2H\x1b[0mx34y");
    }

    TEST_CASE("a frame of another size is repainted whole") {
        screen_frame small(5, 1), large(6, 1);
        small.put(0, 0, "ab", {});
        large.put(0, 0, "ab", {});
        CHECK(diff_frames(&small, large).starts_with("\x1b[0m\x1b[H\x1b[2J"));
    }

    TEST_CASE("styles are set once per run of equal style") {
        cell_style bold;
        bold.bold = true;
        bold.reverse = true;
        CHECK(sise::cli::sgr(bold) == "\x1b[0;1;7m");
        CHECK(sise::cli::sgr({}) == "\x1b[0m");
        screen_frame f(10, 1);
        f.put(0, 0, "abc", red());
        const std::string bytes = diff_frames(nullptr, f);
        CHECK(bytes.find("\x1b[0;31mabc") != std::string::npos);
    }
}
