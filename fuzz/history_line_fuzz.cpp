// Feeds arbitrary bytes to the history reader's pure half: for_each_line splits them as a
// read chunk, parse_csv_line reads each line. Lines come back exactly (joined with '\n' they
// are the consumed prefix, the rest has no '\n'), and any line that parses is the writer's own
// spelling: append_csv of the record gives the identical line (a trailing '\r' aside).
#include <cstdint>
#include <string>
#include <string_view>

#include "contract.hpp"
#include "sise/history/reader.hpp"
#include "sise/history/record.hpp"

namespace {

using sise::fuzz::check;

void check_line(std::string_view line) {
    const auto r = sise::history::parse_csv_line(line);
    if (!r) return;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    check(line != sise::history::csv_header, "header parsed as a record");
    std::string again;
    sise::history::append_csv(again, *r);
    check(!again.empty() && again.back() == '\n', "append_csv without newline");
    again.pop_back();
    check(again == line, "record re-encodes to a different line");
    const auto reparsed = sise::history::parse_csv_line(again);
    check(reparsed && *reparsed == *r, "re-encoded line parses to a different record");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string joined;
    const std::size_t consumed = sise::history::for_each_line(input, [&](std::string_view line) {
        check(line.find('\n') == std::string_view::npos, "newline inside a line");
        joined.append(line);
        joined.push_back('\n');
        check_line(line);
    });
    check(consumed <= input.size(), "consumed more than given");
    check(joined == input.substr(0, consumed), "lines do not rebuild the consumed prefix");
    check(input.substr(consumed).find('\n') == std::string_view::npos,
          "a terminated line left unconsumed");
    // The unconsumed rest is what a reader holds for the next chunk, or a torn line at the end
    // of a file; parsing it must be as safe as parsing any line.
    check_line(input.substr(consumed));
    return 0;
}
