#include "sise/io/asset_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using sise::api::builtin_assets;
using sise::api::find_asset;

namespace {

struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("sise-assets-" + std::to_string(::getpid()));
    temp_dir() { fs::create_directories(path); }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("a data dir overrides the assets it holds and keeps the built-in others") {
        temp_dir dir;
        std::ofstream(dir.path / "widget.js") << "// site copy\n";
        std::ofstream(dir.path / "unknown.js") << "ignored";
        const sise::io::asset_dir assets(dir.path);
        CHECK(assets.overridden() == 1);
        CHECK(assets.assets().size() == builtin_assets().size());

        const auto* widget = find_asset(assets.assets(), "/widget.js");
        REQUIRE(widget != nullptr);
        CHECK(widget->bytes == "// site copy\n");
        CHECK(widget->content_type == "text/javascript; charset=utf-8");
        CHECK(widget->etag != find_asset(builtin_assets(), "/widget.js")->etag);
        CHECK(find_asset(assets.assets(), "/unknown.js") == nullptr);

        const auto* page = find_asset(assets.assets(), "/");
        REQUIRE(page != nullptr);
        CHECK(page->bytes == find_asset(builtin_assets(), "/")->bytes);
    }

    TEST_CASE("the ETag of a file on disk equals the build's for the same bytes") {
        for (const auto& a : builtin_assets()) {
            CAPTURE(a.name);
            CHECK(sise::io::asset_etag(a.bytes) == a.etag);
        }
    }

    TEST_CASE("a data dir that is not a directory is a start-up error") {
        CHECK_THROWS_AS(sise::io::asset_dir("/nonexistent/sise-web"), std::runtime_error);
    }
}
