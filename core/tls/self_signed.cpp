#include "core/tls/self_signed.hpp"

#include <array>
#include <cstdint>
#include <ctime>
#include <limits>

#include <asio/ip/address.hpp>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "core/tls/tls_error.hpp"

namespace shoal::tls {
namespace {

// RAII for the mbedTLS contexts used here.
struct Key {
    Key() { mbedtls_pk_init(&ctx); }
    ~Key() { mbedtls_pk_free(&ctx); }
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    mbedtls_pk_context ctx;
};
struct CertificateWriter {
    CertificateWriter() { mbedtls_x509write_crt_init(&ctx); }
    ~CertificateWriter() { mbedtls_x509write_crt_free(&ctx); }
    CertificateWriter(const CertificateWriter&) = delete;
    CertificateWriter& operator=(const CertificateWriter&) = delete;
    mbedtls_x509write_cert ctx;
};
struct BigNumber {
    BigNumber() { mbedtls_mpi_init(&value); }
    ~BigNumber() { mbedtls_mpi_free(&value); }
    BigNumber(const BigNumber&) = delete;
    BigNumber& operator=(const BigNumber&) = delete;
    mbedtls_mpi value;
};

// DER: tag, definite length, content.
std::string der(std::uint8_t tag, const std::string& content) {
    std::string out(1, static_cast<char>(tag));
    const std::size_t n = content.size();
    if (n < 0x80) {
        out += static_cast<char>(n);
    } else if (n < 0x100) {
        out += '\x81';
        out += static_cast<char>(n);
    } else {
        out += '\x82';
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n & 0xff);
    }
    return out + content;
}

// SubjectAltName ::= GeneralNames ::= SEQUENCE OF GeneralName,
// dNSName [2] IA5String, iPAddress [7] OCTET STRING (4 or 16 bytes).
std::string subject_alt_names(const std::vector<std::string>& hosts, const std::vector<std::string>& ips) {
    std::string names;
    for (const std::string& host : hosts) names += der(0x82, host);
    for (const std::string& ip : ips) {
        asio::error_code ec;
        const asio::ip::address address = asio::ip::make_address(ip, ec);
        if (ec) throw TlsError("self-signed certificate: not an IP address: " + ip);
        if (address.is_v4()) {
            const auto bytes = address.to_v4().to_bytes();
            names += der(0x87, std::string(bytes.begin(), bytes.end()));
        } else {
            const auto bytes = address.to_v6().to_bytes();
            names += der(0x87, std::string(bytes.begin(), bytes.end()));
        }
    }
    return der(0x30, names);
}

// X.509 validity time, "YYYYMMDDhhmmss" (UTC).
std::string x509_time(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 16> text{};
    std::strftime(text.data(), text.size(), "%Y%m%d%H%M%S", &tm);
    return text.data();
}

std::string pem(const std::array<unsigned char, 8192>& buffer) {
    return std::string(reinterpret_cast<const char*>(buffer.data()));
}

}  // namespace

SelfSigned make_self_signed(const std::vector<std::string>& host_names, const std::vector<std::string>& ip_addresses,
                            Random& random) {
    Key key;
    check(mbedtls_pk_setup(&key.ctx, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "self-signed certificate key");
    check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key.ctx), Random::generate, &random),
          "self-signed certificate key");

    CertificateWriter writer;
    mbedtls_x509write_cert* crt = &writer.ctx;
    mbedtls_x509write_crt_set_version(crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(crt, &key.ctx);
    mbedtls_x509write_crt_set_issuer_key(crt, &key.ctx);
    const std::string common_name = host_names.empty() ? std::string("shoald") : host_names.front();
    // Commas and such would end the name early: such a host name is left out of the subject.
    const bool plain_name = common_name.find_first_of(",=+<>#;\\\"") == std::string::npos;
    const std::string subject = "CN=" + (plain_name ? common_name : std::string("shoald")) + ",O=Shoal self-signed";
    check(mbedtls_x509write_crt_set_subject_name(crt, subject.c_str()), "self-signed certificate subject");
    check(mbedtls_x509write_crt_set_issuer_name(crt, subject.c_str()), "self-signed certificate issuer");

    std::array<unsigned char, 16> serial_bytes{};
    check(Random::generate(&random, serial_bytes.data(), serial_bytes.size()), "self-signed certificate serial");
    serial_bytes[0] &= 0x7f;  // a positive INTEGER
    serial_bytes[0] |= 0x40;  // of full length
    BigNumber serial;
    check(mbedtls_mpi_read_binary(&serial.value, serial_bytes.data(), serial_bytes.size()),
          "self-signed certificate serial");
    check(mbedtls_x509write_crt_set_serial(crt, &serial.value), "self-signed certificate serial");

    // From a day ago (clocks of clients and of a device without RTC differ) for ten years.
    // A 32-bit time_t (Debian's armhf) ends in January 2038: no later than that.
    const std::time_t now = std::time(nullptr);
    constexpr std::time_t kTenYears = 3653 * 86400;
    const std::time_t latest = std::numeric_limits<std::time_t>::max();
    const std::time_t not_after = now > latest - kTenYears ? latest : now + kTenYears;
    check(mbedtls_x509write_crt_set_validity(crt, x509_time(now - 86400).c_str(), x509_time(not_after).c_str()),
          "self-signed certificate validity");
    // An end-entity certificate: clients pin it as their CA file, it signs nothing else.
    check(mbedtls_x509write_crt_set_basic_constraints(crt, 0, -1), "self-signed certificate constraints");
    check(mbedtls_x509write_crt_set_key_usage(crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE),
          "self-signed certificate key usage");
    check(mbedtls_x509write_crt_set_subject_key_identifier(crt), "self-signed certificate key identifier");
    check(mbedtls_x509write_crt_set_authority_key_identifier(crt), "self-signed certificate key identifier");
    const std::string san = subject_alt_names(host_names, ip_addresses);
    check(mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                              MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
                                              reinterpret_cast<const unsigned char*>(san.data()), san.size()),
          "self-signed certificate names");

    SelfSigned out;
    std::array<unsigned char, 8192> buffer{};
    check(mbedtls_x509write_crt_pem(crt, buffer.data(), buffer.size(), Random::generate, &random),
          "self-signed certificate");
    out.certificate_pem = pem(buffer);
    buffer.fill(0);
    check(mbedtls_pk_write_key_pem(&key.ctx, buffer.data(), buffer.size()), "self-signed certificate key");
    out.key_pem = pem(buffer);
    buffer.fill(0);  // no copy of the key left behind on the stack
    return out;
}

}  // namespace shoal::tls
