// An installed data directory that overrides the built-in web assets: the same names
// (index.html, widget.js, ...) read from disk once at start-up, with their strong ETags
// computed as the build does, so sised can serve a site's own copy of the page or widget.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "sise/api/assets.hpp"

namespace sise::io {

class asset_dir {
public:
    // Reads every built-in asset's name from dir; a name missing there keeps the built-in
    // bytes. Throws std::runtime_error (start-up) when dir is not a directory or a present
    // file cannot be read.
    explicit asset_dir(const std::filesystem::path& dir);

    asset_dir(const asset_dir&) = delete;
    asset_dir& operator=(const asset_dir&) = delete;

    // The assets to look up with api::find_asset; valid as long as this object.
    std::span<const api::asset> assets() const { return assets_; }

    // How many names came from the directory.
    std::size_t overridden() const { return overridden_; }

private:
    std::vector<std::string> storage_;  // bytes and ETags of the overridden files
    std::vector<api::asset> assets_;
    std::size_t overridden_ = 0;
};

// The strong ETag of some bytes, as cmake/embed_assets.cmake computes it at build time.
std::string asset_etag(std::string_view bytes);

}  // namespace sise::io
