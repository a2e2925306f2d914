#include "sise/io/asset_dir.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>

namespace sise::io {

std::string asset_etag(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    std::string tag = "\"sha256-";
    for (std::size_t i = 0; i < 16; ++i)
        fmt::format_to(std::back_inserter(tag), "{:02x}", digest[i]);
    tag += '"';
    return tag;
}

asset_dir::asset_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw std::runtime_error(fmt::format("web assets: {} is not a directory", dir.string()));
    const auto builtin = api::builtin_assets();
    // Two strings per asset at most, reserved up front: the views below never dangle.
    storage_.reserve(2 * builtin.size());
    assets_.reserve(builtin.size());
    for (const api::asset& original : builtin) {
        const auto file = dir / std::string(original.name);
        if (!std::filesystem::exists(file, ec)) {
            assets_.push_back(original);
            continue;
        }
        std::ifstream in(file, std::ios::binary);
        std::string bytes;
        if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (!in || in.bad())
            throw std::runtime_error(fmt::format("web assets: cannot read {}", file.string()));
        const auto& kept = storage_.emplace_back(std::move(bytes));
        const auto& tag = storage_.emplace_back(asset_etag(kept));
        assets_.push_back({original.name, original.content_type, kept, tag});
        ++overridden_;
    }
}

}  // namespace sise::io
