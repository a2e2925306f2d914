// Coverage: the stretches of time in which sised watched a market (its feed live and
// subscribed), so that after a restart a quiet minute can be told from a minute nobody saw.
// One line per stretch, "from_ms,to_ms", in a per-market, per-UTC-day file next to the records
// (docs/history.md). Pure: encoding, merging and the tracker that decides what to write when.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sise::history {

// [from_ms, to_ms), UTC epoch ms.
struct coverage_span {
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
    friend bool operator==(const coverage_span&, const coverage_span&) = default;
};

// The first line of every coverage file, without the newline.
inline constexpr std::string_view coverage_header = "from_ms,to_ms";

// Appends "from_ms,to_ms\n".
void append_coverage_csv(std::string& out, const coverage_span& span);

// nullopt for the header, a torn or hand-edited line, or an empty or reversed span.
std::optional<coverage_span> parse_coverage_line(std::string_view line) noexcept;

// Sorts and joins overlapping and touching spans, in place.
void merge_spans(std::vector<coverage_span>& spans);

// Cuts a span at UTC midnights: each piece belongs to one day's file. Appends to `out`.
void split_at_days(const coverage_span& span, std::vector<coverage_span>& out);

// Collects what each market (a dense index, e.g. the table's row id) was watched over and
// hands it out in pieces of about `flush_interval_ms`: a crash loses at most that much
// coverage, and a lost stretch only makes minutes count as unknown, never the reverse.
class coverage_tracker {
public:
    explicit coverage_tracker(std::int64_t flush_interval_ms = 60'000);

    // `market` was watched over [from_ms, to_ms). Stretches of one market come in time order;
    // one that starts after the held one ended (a reconnect) closes the held one.
    void watched(std::size_t market, std::int64_t from_ms, std::int64_t to_ms);

    // Appends (market, span) for every stretch to write now: closed ones, held ones at least
    // flush_interval_ms long, and held ones not extended for flush_interval_ms (the feed is
    // down). `all`: everything held (shutdown). Spans are split at UTC midnights.
    void due(std::int64_t now_ms, std::vector<std::pair<std::size_t, coverage_span>>& out,
             bool all = false);

    // Drops everything held: it must not be written (records of that time were lost).
    void forget();

private:
    struct held {
        bool any = false;
        coverage_span span;
    };

    void emit(std::size_t market, const coverage_span& span,
              std::vector<std::pair<std::size_t, coverage_span>>& out);

    std::int64_t flush_interval_ms_;
    std::vector<held> markets_;
    std::vector<std::pair<std::size_t, coverage_span>> closed_;
    std::vector<coverage_span> pieces_;  // scratch for split_at_days
};

}  // namespace sise::history
