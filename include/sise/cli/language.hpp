// The language of the client's headings, names and notes: Korean (the default, as the
// sidebar sise follows is Korean) or English. Shared by every view; no text lives here.
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace sise::cli {

enum class language { ko, en };
inline constexpr std::array<std::pair<std::string_view, language>, 2> language_names{
    {{"ko", language::ko}, {"en", language::en}}};

}  // namespace sise::cli
