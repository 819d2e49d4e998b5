#include "core/s3/error.hpp"

namespace shoal::s3 {

S3Error no_such_bucket(const std::string& bucket) {
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist: " + bucket);
}
S3Error no_such_key(const std::string& key) {
    return S3Error(404, "NoSuchKey", "The specified key does not exist: " + key);
}
S3Error invalid_argument(const std::string& message) { return S3Error(400, "InvalidArgument", message); }
S3Error invalid_request(const std::string& message) { return S3Error(400, "InvalidRequest", message); }
S3Error malformed_xml(const std::string& message) {
    return S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate: " + message);
}
S3Error not_implemented(const std::string& message) { return S3Error(501, "NotImplemented", message); }
S3Error access_denied(const std::string& message) { return S3Error(403, "AccessDenied", message); }

}  // namespace shoal::s3
