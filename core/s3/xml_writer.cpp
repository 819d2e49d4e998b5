#include "core/s3/xml_writer.hpp"

#include <cstdio>
#include <ctime>

#include "core/s3/errors.hpp"

namespace shoal::s3 {

XmlWriter::XmlWriter(std::string_view root, bool with_namespace) {
    out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
    out_ += root;
    if (with_namespace) out_ += " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
    out_ += '>';
    open_.emplace_back(root);
}

XmlWriter& XmlWriter::open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    open_.emplace_back(name);
    return *this;
}

XmlWriter& XmlWriter::close() {
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
    open_.pop_back();
    return *this;
}

XmlWriter& XmlWriter::element(std::string_view name, std::string_view text) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    append_xml_escaped(out_, text);
    out_ += "</";
    out_ += name;
    out_ += '>';
    return *this;
}

XmlWriter& XmlWriter::element(std::string_view name, std::uint64_t number) {
    return element(name, std::to_string(number));
}

XmlWriter& XmlWriter::boolean(std::string_view name, bool value) {
    return element(name, std::string_view(value ? "true" : "false"));
}

std::string XmlWriter::finish() {
    while (!open_.empty()) close();
    return std::move(out_);
}

namespace {
std::tm utc_of(std::uint64_t unix_ms) {
    const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
    std::tm utc{};
    gmtime_r(&secs, &utc);
    return utc;
}
}  // namespace

std::string iso8601_ms(std::uint64_t unix_ms) {
    const std::tm utc = utc_of(unix_ms);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(unix_ms % 1000));
    return buf;
}

std::string http_date_ms(std::uint64_t unix_ms) {
    const std::tm utc = utc_of(unix_ms);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(buf, n);
}

}  // namespace shoal::s3
