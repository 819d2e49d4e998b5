// The XML request bodies S3 operations parse with pugixml: DeleteObjects,
// CompleteMultipartUpload, PutBucketVersioning, CreateBucket and
// PutObjectTagging. Each parser
// sees every input; it either returns what its contract promises or throws
// the S3 error it documents, nothing else. Keys never hold a NUL, and a
// DeleteObjects request (or a tag set) written back out as XML reads the same.
//
// The same input also drives a writer of DeleteObjects bodies (keys of any
// bytes, escaped or in CDATA pieces): what was written is what is read.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/s3/complete_multipart_request.hpp"
#include "core/s3/create_bucket_request.hpp"
#include "core/s3/delete_objects_request.hpp"
#include "core/s3/error.hpp"
#include "core/s3/tagging.hpp"
#include "core/s3/versioning_request.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace shoal;

// XML text for the bytes `s`, as a client may write it: markup characters and
// control characters as references, other bytes plain, and (when `cdata`
// says so, bit by bit) some pieces as CDATA sections.
std::string xml_text(std::string_view s, std::uint32_t cdata = 0) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t piece = 1 + (cdata >> 1) % 8;
        cdata = cdata >> 4 | cdata << 28;
        const std::string_view part = s.substr(i, piece);
        i += part.size();
        bool plain = true;
        for (const char c : part) plain = plain && static_cast<unsigned char>(c) >= 0x20;
        if ((cdata & 1) && plain && part.find("]]") == std::string_view::npos && part.back() != ']') {
            out += "<![CDATA[" + std::string(part) + "]]>";
            continue;
        }
        for (const char c : part) {
            switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        out += "&#" + std::to_string(static_cast<int>(c)) + ";";
                    } else {
                        out += c;
                    }
            }
        }
    }
    return out;
}

// A DeleteObjects body naming `request`'s objects.
std::string serialize(const s3::DeleteObjectsRequest& request, std::uint32_t cdata = 0) {
    std::string xml = std::string("<Delete><Quiet>") + (request.quiet ? "true" : "false") + "</Quiet>";
    for (const auto& object : request.objects) {
        xml += "<Object><Key>" + xml_text(object.key, cdata) + "</Key>";
        if (object.version_id) xml += "<VersionId>" + xml_text(*object.version_id, cdata) + "</VersionId>";
        xml += "</Object>";
    }
    return xml + "</Delete>";
}

// DeleteObjects bodies written from keys and versions the input chooses (any
// bytes): they read back exactly, or are refused when a key holds a NUL.
void round_trip(FuzzedDataProvider& in) {
    s3::DeleteObjectsRequest request;
    request.quiet = in.ConsumeBool();
    const std::size_t count = in.ConsumeIntegralInRange<std::size_t>(1, 4);
    bool nul = false;
    for (std::size_t i = 0; i < count; ++i) {
        s3::DeleteObjectsRequest::Object object{in.ConsumeRandomLengthString(64), std::nullopt};
        if (in.ConsumeBool()) object.version_id = in.ConsumeRandomLengthString(16);
        nul = nul || object.key.find('\0') != std::string::npos ||
              (object.version_id && object.version_id->find('\0') != std::string::npos);
        request.objects.push_back(std::move(object));
    }
    const std::string body = serialize(request, in.ConsumeIntegral<std::uint32_t>());
    try {
        const s3::DeleteObjectsRequest read = s3::parse_delete_objects(body);
        FUZZ_CHECK(!nul, "a NUL was read without an error: " + body);
        FUZZ_CHECK(read.quiet == request.quiet && read.objects.size() == request.objects.size(), body);
        for (std::size_t i = 0; i < read.objects.size(); ++i) {
            FUZZ_CHECK(read.objects[i].key == request.objects[i].key, "a key read otherwise than written: " + body);
            FUZZ_CHECK(read.objects[i].version_id == request.objects[i].version_id, "a version read otherwise: " + body);
        }
    } catch (const s3::S3Error& e) {
        FUZZ_CHECK(nul && e.code() == "MalformedXML", e.code() + ": " + e.what() + ": " + body);
    }
}

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
        for (const auto& object : request.objects) {
            FUZZ_CHECK(object.key.find('\0') == std::string::npos, "a NUL in a key");
            FUZZ_CHECK(!object.version_id || object.version_id->find('\0') == std::string::npos, "a NUL in a version");
        }
        // What was read is what the document says: written back out, it reads the same.
        const std::string again = serialize(request);
        const s3::DeleteObjectsRequest reread = s3::parse_delete_objects(again);
        FUZZ_CHECK(reread.quiet == request.quiet && reread.objects.size() == request.objects.size(), again);
        for (std::size_t i = 0; i < request.objects.size(); ++i) {
            FUZZ_CHECK(reread.objects[i].key == request.objects[i].key, again);
            FUZZ_CHECK(reread.objects[i].version_id == request.objects[i].version_id, again);
        }
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

    try {
        const s3::TagSet tags = s3::parse_tagging_xml(body);
        FUZZ_CHECK(tags.size() <= s3::kMaxTags, "tag count");
        for (std::size_t i = 0; i < tags.size(); ++i) {
            FUZZ_CHECK(!tags[i].first.empty() && tags[i].first.find('\0') == std::string::npos, "a tag key");
            FUZZ_CHECK(tags[i].second.find('\0') == std::string::npos, "a NUL in a tag value");
            for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(tags[j].first != tags[i].first, "duplicate tag keys");
        }
        FUZZ_CHECK(s3::parse_tagging_xml(s3::tagging_xml(tags)) == tags, "a tag set read otherwise than written");
    } catch (const s3::S3Error& e) {
        check_error(e, "MalformedXML InvalidTag BadRequest");
    }

    const std::string quoted = "\"" + std::string(body) + "\"";
    FUZZ_CHECK(s3::unquote_etag(quoted) == body, "unquote_etag");

    FuzzedDataProvider in(data, size);
    round_trip(in);
    return 0;
}
