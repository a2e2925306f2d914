#include "sise/api/assets.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using sise::api::asset;
using sise::api::builtin_assets;
using sise::api::etag_matches;
using sise::api::find_asset;

TEST_SUITE("api") {
    TEST_CASE("the root path is the demo page, served as UTF-8 HTML") {
        const asset* page = find_asset(builtin_assets(), "/");
        REQUIRE(page != nullptr);
        CHECK(page->name == "index.html");
        CHECK(page->content_type == "text/html; charset=utf-8");
        CHECK(page->bytes.starts_with("<!doctype html>"));
        CHECK(page->bytes.find("<sise-ticker") != std::string_view::npos);
        CHECK(find_asset(builtin_assets(), "/index.html") == page);
    }

    TEST_CASE("widget.js is compiled in whole, as JavaScript, defining the element") {
        const asset* widget = find_asset(builtin_assets(), "/widget.js");
        REQUIRE(widget != nullptr);
        CHECK(widget->content_type == "text/javascript; charset=utf-8");
        CHECK(widget->bytes.find("customElements.define('sise-ticker'") != std::string_view::npos);
        // The last byte of the file survives the embedding (no truncation, no added NUL).
        CHECK(widget->bytes.ends_with("})();\n"));
        CHECK(widget->bytes.find('\0') == std::string_view::npos);
    }

    TEST_CASE("every built-in asset has a strong sha256 ETag, distinct per content") {
        const auto set = builtin_assets();
        REQUIRE(set.size() >= 2);
        for (const asset& a : set) {
            CAPTURE(a.name);
            CHECK(a.etag.starts_with("\"sha256-"));
            CHECK(a.etag.ends_with("\""));
            CHECK(a.etag.size() == 8 + 32 + 1);
            CHECK(!a.bytes.empty());
        }
        CHECK(set[0].etag != set[1].etag);
    }

    TEST_CASE("paths outside the asset set are not found") {
        const auto set = builtin_assets();
        CHECK(find_asset(set, "/nope.js") == nullptr);
        CHECK(find_asset(set, "widget.js") == nullptr);
        CHECK(find_asset(set, "/web/widget.js") == nullptr);
        CHECK(find_asset(set, "/../widget.js") == nullptr);
        CHECK(find_asset(set, "/v1/snapshot") == nullptr);
        CHECK(find_asset(set, "") == nullptr);
    }

    TEST_CASE("a lookup searches only the set it is given") {
        const std::array<asset, 1> set{{{"a.css", "text/css; charset=utf-8", "x{}", "\"t\""}}};
        CHECK(find_asset(set, "/a.css") == &set[0]);
        CHECK(find_asset(set, "/") == nullptr);
    }

    TEST_CASE("content types follow the file extension") {
        using sise::api::content_type_for;
        CHECK(content_type_for("demo.css") == "text/css; charset=utf-8");
        CHECK(content_type_for("logo.svg") == "image/svg+xml");
        CHECK(content_type_for("shot.png") == "image/png");
        CHECK(content_type_for("README") == "application/octet-stream");
    }

    TEST_CASE("If-None-Match matches the ETag exactly, in a list, weakly or as a star") {
        const std::string_view tag = "\"sha256-abc\"";
        CHECK(etag_matches("\"sha256-abc\"", tag));
        CHECK(etag_matches("\"x\", \"sha256-abc\"", tag));
        CHECK(etag_matches("W/\"sha256-abc\"", tag));
        CHECK(etag_matches(" * ", tag));
        CHECK_FALSE(etag_matches("\"sha256-abd\"", tag));
        CHECK_FALSE(etag_matches("sha256-abc", tag));
        CHECK_FALSE(etag_matches("", tag));
        CHECK_FALSE(etag_matches(",,", tag));
    }

    TEST_CASE("If-None-Match is read tag by tag, so a comma inside a quoted tag splits nothing") {
        // RFC 9110 §8.8.3: etagc includes the comma.
        CHECK(etag_matches("\"a,b\"", "\"a,b\""));
        CHECK(etag_matches("\"x,y\", W/\"a,b\"", "\"a,b\""));
        CHECK_FALSE(etag_matches("\"a\", \"b\"", "\"a,b\""));
        CHECK_FALSE(etag_matches("\"x, \"a\"", "\"a\""));  // the first tag ends at the 2nd quote
        // Garbage entries are skipped, the rest still compared.
        CHECK(etag_matches("junk, \"a\"", "\"a\""));
        CHECK_FALSE(etag_matches("\"a", "\"a\""));  // unterminated
        // "*" is the whole field value or nothing.
        CHECK_FALSE(etag_matches("*, \"x\"", "\"a\""));
        // Degenerate lists match nothing and read nothing past their end.
        CHECK_FALSE(etag_matches("W/", "\"a\""));
        CHECK_FALSE(etag_matches("W/\"", "\"a\""));
        CHECK_FALSE(etag_matches("\"", "\"a\""));
        CHECK(etag_matches("\"\"", "\"\""));  // the empty tag is a tag
        std::string many;
        for (int i = 0; i < 1000; ++i) many += "\"x\", ";
        CHECK(etag_matches(many + "\"a\"", "\"a\""));
    }
}
