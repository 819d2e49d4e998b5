#include <catch2/catch.hpp>

#include <sstream>

#include "core/log/logger.hpp"
#include "core/tls/certificate_store.hpp"
#include "core/tls/certified_key.hpp"
#include "core/tls/self_signed.hpp"
#include "core/tls/tls_error.hpp"
#include "temp_dir.hpp"

using namespace shoal::tls;
using shoal::testing::TempDir;
using Catch::Matchers::Contains;

TEST_CASE("a self-signed pair parses, matches and has a fingerprint", "[tls]") {
    Random random;
    const SelfSigned pair = make_self_signed({"localhost", "edge1.example"}, {"127.0.0.1", "::1"}, random);
    CHECK_THAT(pair.certificate_pem, Contains("-----BEGIN CERTIFICATE-----"));
    CHECK_THAT(pair.key_pem, Contains("-----BEGIN EC PRIVATE KEY-----"));
    const CertifiedKey loaded(pair.certificate_pem, pair.key_pem, "test");
    CHECK_THAT(loaded.subject(), Contains("CN=localhost"));
    const std::string fingerprint = loaded.fingerprint();
    CHECK(fingerprint.size() == 32 * 3 - 1);
    CHECK(fingerprint[2] == ':');
    CHECK(loaded.not_after() > "2030");

    // Another pair: another key, another fingerprint; mixed halves are refused.
    const SelfSigned other = make_self_signed({"localhost"}, {}, random);
    CHECK(CertifiedKey(other.certificate_pem, other.key_pem, "other").fingerprint() != fingerprint);
    CHECK_THROWS_WITH(CertifiedKey(pair.certificate_pem, other.key_pem, "mixed"), Contains("do not match"));
    CHECK_THROWS_AS(CertifiedKey("not a certificate", pair.key_pem, "garbage"), TlsError);
    CHECK_THROWS_AS(make_self_signed({"localhost"}, {"not-an-address"}, random), TlsError);
}

TEST_CASE("the certificate store reloads a changed pair and keeps the old one when the new does not load", "[tls]") {
    TempDir dir;
    auto random = std::make_shared<Random>();
    const SelfSigned first = make_self_signed({"localhost"}, {"127.0.0.1"}, *random);
    const SelfSigned second = make_self_signed({"localhost"}, {"127.0.0.1"}, *random);
    const auto certificate = dir.write("public.crt", first.certificate_pem);
    const auto key = dir.write("private.key", first.key_pem);
    std::ostringstream out;
    shoal::log::Logger log(out, shoal::log::Level::debug, shoal::log::Format::text);
    CertificateStore store(certificate, key, random, log, std::chrono::milliseconds(0));

    const auto initial = store.current();
    const std::string first_fingerprint = initial->credentials().fingerprint();
    CHECK(store.current() == initial);  // unchanged files: the same configuration

    dir.write("public.crt", second.certificate_pem);  // the key is still the first one
    CHECK(store.current()->credentials().fingerprint() == first_fingerprint);
    CHECK_THAT(out.str(), Contains("tls certificate not reloaded"));

    dir.write("private.key", second.key_pem);
    const auto reloaded = store.current();
    CHECK(reloaded->credentials().fingerprint() == CertifiedKey(second.certificate_pem, second.key_pem, "").fingerprint());
    CHECK_THAT(out.str(), Contains("tls certificate reloaded"));
    // Connections holding the first configuration still have it.
    CHECK(initial->credentials().fingerprint() == first_fingerprint);
}
