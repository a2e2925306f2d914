// The recorded exchange frames and REST bodies in tests/fixtures/, read whole: one reader for
// every adapter's fixture tests. A missing file fails the test that asked for it.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace sise::test {

// `venue` is the fixture folder ("upbit"), `name` the file in it.
inline std::string read_fixture(std::string_view venue, std::string_view name) {
    const std::string path =
        std::string(SISE_FIXTURES_DIR "/") + std::string(venue) + "/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open ", path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace sise::test
