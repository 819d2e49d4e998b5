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

// The S3 error to answer `error` with. An internal failure (5xx but 501) is
// logged with the request id, method, path and the detail (at error level; a
// full metadata store or unavailable drives as a warning), kept for root
// (Services::failures), and answered with its code and a generic message
// only: clients, anonymous ones included, learn no path, drive id or system
// error. 4xx errors keep the message that explains the client's mistake.
// nullopt for exceptions that are not an answer to give (a lost connection,
// a body the HTTP layer answers): the caller rethrows those.
std::optional<S3Error> failure_of(std::exception_ptr error, const Call& call);

}  // namespace shoal::s3
