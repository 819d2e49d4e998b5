// The XML request bodies S3 operations parse with pugixml: DeleteObjects,
// CompleteMultipartUpload, PutBucketVersioning and CreateBucket. Each parser
// sees every input; it either returns what its contract promises or throws
// the S3 error it documents, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/s3/complete_multipart_request.hpp"
#include "core/s3/create_bucket_request.hpp"
#include "core/s3/delete_objects_request.hpp"
#include "core/s3/error.hpp"
#include "core/s3/versioning_request.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;

void check_error(const s3::S3Error& e, std::string_view allowed) {
    FUZZ_CHECK(allowed.find(e.code()) != std::string_view::npos, e.code());
    FUZZ_CHECK(e.status() == (e.code() == "NotImplemented" ? 501 : 400), e.code());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = fuzz::as_text(data, size);

    try {
        const s3::DeleteObjectsRequest request = s3::parse_delete_objects(body);
        FUZZ_CHECK(!request.objects.empty() && request.objects.size() <= s3::kMaxDeleteObjects, "object count");
        for (const auto& object : request.objects) FUZZ_CHECK(object.key.size() <= size, "key longer than the body");
    } catch (const s3::S3Error& e) {
        check_error(e, "MalformedXML");
    }

    try {
        const auto parts = s3::parse_complete_multipart_upload(body);
        FUZZ_CHECK(!parts.empty(), "no parts");
        std::uint32_t previous = 0;
        for (const auto& part : parts) {
            FUZZ_CHECK(part.number > previous && part.number <= s3::kMaxParts, "part numbers");
            previous = part.number;
        }
    } catch (const s3::S3Error& e) {
        check_error(e, "MalformedXML InvalidPartOrder");
    }

    try {
        const meta::Versioning state = s3::parse_versioning_configuration(body);
        FUZZ_CHECK(state == meta::Versioning::enabled || state == meta::Versioning::suspended, "versioning state");
    } catch (const s3::S3Error& e) {
        check_error(e, "MalformedXML NotImplemented");
    }

    try {
        const std::string location = s3::parse_create_bucket_location(body);
        FUZZ_CHECK(location.size() <= size, "location longer than the body");
    } catch (const s3::S3Error& e) {
        check_error(e, "MalformedXML");
    }

    const std::string quoted = "\"" + std::string(body) + "\"";
    FUZZ_CHECK(s3::unquote_etag(quoted) == body, "unquote_etag");
    return 0;
}
