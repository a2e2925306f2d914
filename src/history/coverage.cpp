#include "sise/history/coverage.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "sise/history/layout.hpp"

namespace sise::history {

void append_coverage_csv(std::string& out, const coverage_span& span) {
    fmt::format_to(std::back_inserter(out), "{},{}\n", span.from_ms, span.to_ms);
}

std::optional<coverage_span> parse_coverage_line(std::string_view line) noexcept {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t comma = line.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view text, std::int64_t& value) {
        if (text.empty() || text.front() == '-' || text.front() == '+') return false;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        return ec == std::errc{} && end == text.data() + text.size();
    };
    coverage_span span;
    if (!number(line.substr(0, comma), span.from_ms) ||
        !number(line.substr(comma + 1), span.to_ms) || span.to_ms <= span.from_ms)
        return std::nullopt;
    return span;
}

void merge_spans(std::vector<coverage_span>& spans) {
    std::sort(spans.begin(), spans.end(),
              [](const auto& a, const auto& b) { return a.from_ms < b.from_ms; });
    std::size_t kept = 0;
    for (const coverage_span& span : spans) {
        if (kept > 0 && span.from_ms <= spans[kept - 1].to_ms) {
            spans[kept - 1].to_ms = std::max(spans[kept - 1].to_ms, span.to_ms);
            continue;
        }
        spans[kept++] = span;
    }
    spans.resize(kept);
}

void split_at_days(const coverage_span& span, std::vector<coverage_span>& out) {
    std::int64_t from = span.from_ms;
    while (from < span.to_ms) {
        const std::int64_t day_end = (day_of(from) + 1) * day_ms;
        const std::int64_t to = std::min(span.to_ms, day_end);
        out.push_back({from, to});
        from = to;
    }
}

coverage_tracker::coverage_tracker(std::int64_t flush_interval_ms)
    : flush_interval_ms_(flush_interval_ms) {}

void coverage_tracker::watched(std::size_t market, std::int64_t from_ms, std::int64_t to_ms) {
    if (to_ms <= from_ms) return;
    if (market >= markets_.size()) markets_.resize(market + 1);
    held& h = markets_[market];
    if (h.any && from_ms <= h.span.to_ms) {
        h.span.to_ms = std::max(h.span.to_ms, to_ms);
        return;
    }
    if (h.any && h.span.to_ms > h.span.from_ms) closed_.emplace_back(market, h.span);
    h.any = true;
    h.span = {from_ms, to_ms};
}

void coverage_tracker::emit(std::size_t market, const coverage_span& span,
                            std::vector<std::pair<std::size_t, coverage_span>>& out) {
    pieces_.clear();
    split_at_days(span, pieces_);
    for (const coverage_span& piece : pieces_) out.emplace_back(market, piece);
}

void coverage_tracker::due(std::int64_t now_ms,
                           std::vector<std::pair<std::size_t, coverage_span>>& out, bool all) {
    for (const auto& [market, span] : closed_) emit(market, span, out);
    closed_.clear();
    for (std::size_t i = 0; i < markets_.size(); ++i) {
        held& h = markets_[i];
        if (!h.any || h.span.to_ms <= h.span.from_ms) continue;
        const bool long_enough = h.span.to_ms - h.span.from_ms >= flush_interval_ms_;
        const bool idle = now_ms - h.span.to_ms >= flush_interval_ms_;
        if (!all && !long_enough && !idle) continue;
        emit(i, h.span, out);
        h.span.from_ms = h.span.to_ms;  // held on: the next stretch continues this one
    }
}

void coverage_tracker::forget() {
    closed_.clear();
    for (held& h : markets_) h.span.from_ms = h.span.to_ms;
}

}  // namespace sise::history
