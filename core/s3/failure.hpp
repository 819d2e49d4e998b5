// What an exception thrown while serving a request means to the client: the
// S3 error to answer with. Used where a request ends in failure (Api::handle)
// and where a long answer already under way ends in an <Error> document
// (slow_answer.hpp).
#pragma once

#include <exception>
#include <optional>

#include "core/s3/call.hpp"
#include "core/s3/error.hpp"

namespace shoal::s3 {

// The S3 error for `error`, logged as the kind of failure deserves (internal
// errors at error level, a full metadata store as a warning). nullopt for
// exceptions that are not an answer to give (a lost connection, a bug): the
// caller rethrows those.
std::optional<S3Error> failure_of(std::exception_ptr error, const Call& call);

}  // namespace shoal::s3
