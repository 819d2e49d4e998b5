// What S3 accepts as bucket names and object keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shoal::s3 {

// S3's bucket naming rules (3-63 characters of a-z 0-9 . -, starting and
// ending with a letter or digit, no "..", not an IP address, no reserved
// prefixes/suffixes). Returns why not, or nullopt when valid.
std::optional<std::string> bucket_name_problem(std::string_view name);

// Object keys: 1 to 1024 bytes of valid UTF-8 without NUL. Returns the S3
// error code and message, or nullopt when valid.
struct KeyProblem {
    std::string code;  // KeyTooLongError or InvalidArgument
    std::string message;
};
std::optional<KeyProblem> object_key_problem(std::string_view key);

bool valid_utf8(std::string_view s);

}  // namespace shoal::s3
