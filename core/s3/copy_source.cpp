#include "core/s3/copy_source.hpp"

#include "core/s3/error.hpp"
#include "core/s3/names.hpp"
#include "core/s3/target.hpp"

namespace shoal::s3 {
namespace {

S3Error bad_source() {
    return invalid_argument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
}

}  // namespace

CopySource parse_copy_source(std::string_view header) {
    const std::size_t question = header.find('?');
    std::string_view path = header.substr(0, question);
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    const auto decoded = percent_decode(path, false);
    if (!decoded) throw invalid_argument("Copy Source is not a valid URL-encoded bucket and key");
    const std::size_t slash = decoded->find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == decoded->size()) throw bad_source();

    CopySource source;
    source.bucket = decoded->substr(0, slash);
    source.key = decoded->substr(slash + 1);
    if (auto problem = bucket_name_problem(source.bucket)) throw S3Error(400, "InvalidBucketName", *problem);
    if (auto problem = object_key_problem(source.key)) throw invalid_argument("Copy Source key: " + problem->message);

    if (question != std::string_view::npos) {
        const auto query = parse_query_string(header.substr(question + 1));
        if (!query) throw invalid_argument("Copy Source is not a valid URL-encoded bucket and key");
        for (const auto& [name, value] : *query) {
            if (name != "versionId") throw invalid_argument("Copy Source holds an unknown parameter: " + name);
            if (value.empty()) throw invalid_argument("Copy Source versionId is empty");
            source.version_id = value;
        }
    }
    return source;
}

}  // namespace shoal::s3
