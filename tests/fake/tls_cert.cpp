// Self-signed CA certificate for the fake exchange, with the OpenSSL 3 C API (tls_cert.hpp).
#include "fake/tls_cert.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace sise::fake {
namespace {

template <auto Free>
struct deleter {
    template <class T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BN_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(std::string_view step) {
    const unsigned long code = ERR_get_error();
    std::string detail = "unknown error";
    if (code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        detail = buf;
    }
    ERR_clear_error();
    throw std::runtime_error(fmt::format("self-signed certificate: {}: {}", step, detail));
}

void check(int ok, std::string_view step) {
    if (ok != 1) fail(step);
}

void add_extension(X509* cert, X509V3_CTX& ctx, int nid, const char* value) {
    ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext) fail(value);
    check(X509_add_ext(cert, ext.get(), -1), value);
}

void write_pem(const std::string& path, auto&& write) {
    bio_ptr bio(BIO_new_file(path.c_str(), "w"));
    if (!bio) fail("open " + path);
    check(write(bio.get()), "write " + path);
}

}  // namespace

tls_files make_self_signed_cert(const std::string& directory) {
    const std::filesystem::path dir(directory);
    std::filesystem::create_directories(dir);
    tls_files files{(dir / "fake-upbit-cert.pem").string(), (dir / "fake-upbit-key.pem").string()};

    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key) fail("generate EC key");

    x509_ptr cert(X509_new());
    if (!cert) fail("X509_new");
    check(X509_set_version(cert.get(), 2), "set version");  // 2 means X.509 v3
    bn_ptr serial(BN_new());
    if (!serial) fail("BN_new");
    check(BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "serial");
    if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
        fail("set serial");
    }
    // Valid from an hour ago: tolerates small clock differences between processes.
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600) == nullptr) {
        fail("validity");
    }
    check(X509_set_pubkey(cert.get(), key.get()), "set public key");

    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto text = [](const char* s) { return reinterpret_cast<const unsigned char*>(s); };
    check(
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, text("sise fake exchange"), -1, -1, 0),
        "subject O");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, text("localhost"), -1, -1, 0),
          "subject CN");
    check(X509_set_issuer_name(cert.get(), name), "issuer");  // self-signed

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), ctx, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
    add_extension(cert.get(), ctx, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ctx, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), ctx, NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("sign");

    write_pem(files.key_file, [&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    std::filesystem::permissions(
        files.key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    write_pem(files.cert_file, [&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
    return files;
}

}  // namespace sise::fake
