// An S3 error raised by an operation; the API front turns it into the XML
// error response (errors.hpp) with the request's resource and request id.
#pragma once

#include <stdexcept>
#include <string>

namespace shoal::s3 {

class S3Error : public std::runtime_error {
public:
    S3Error(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    int status() const { return status_; }
    const std::string& code() const { return code_; }

private:
    int status_;
    std::string code_;
};

// The common ones, named as S3 names them.
S3Error no_such_bucket(const std::string& bucket);
S3Error no_such_key(const std::string& key);
S3Error invalid_argument(const std::string& message);
S3Error invalid_request(const std::string& message);
S3Error malformed_xml(const std::string& message);
S3Error not_implemented(const std::string& message);
S3Error access_denied(const std::string& message);

}  // namespace shoal::s3
