// The node's own administration endpoints, beside the S3 API and signed like
// it (only the root key exists so far): under /_shoal/, a name no bucket can
// have (S3 bucket names have no underscore).
//
//   GET /_shoal/drives   the drives and their write scores: why new chunks go
//                        where they go (docs/data-protection.md)
#include "core/meta/records.hpp"
#include "core/s3/call.hpp"
#include "core/s3/error.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {

asio::awaitable<void> admin(Call& call) {
    if (call.target.key != "drives" || call.request().method != "GET") {
        throw S3Error(400, "InvalidRequest", "unknown administration request: GET /_shoal/drives is the one there is");
    }
    const engine::ObjectStore& objects = call.services.objects;
    XmlWriter xml("Drives", false);
    xml.element("DefaultPolicy", objects.options().default_policy.to_string());
    for (const placement::DriveScore& d : call.services.objects.conscience().scores()) {
        xml.open("Drive")
            .element("Id", meta::format_version_id(d.id))
            .element("Path", d.path.string())
            .element("WriteScore", static_cast<std::uint64_t>(d.write_score))
            .element("FreeBytes", d.free_bytes)
            .element("TotalBytes", d.total_bytes)
            .boolean("Failed", d.failed)
            .element("IoLoadPercent", static_cast<std::uint64_t>(d.io_load))
            .element("IoDevice", d.io_device)
            .element("Why", d.why)
            .close();
    }
    co_await call.respond_xml(200, xml.finish());
}

}  // namespace shoal::s3
