#include "core/s3/failure.hpp"

#include "core/chunk/chunk_error.hpp"
#include "core/meta/catalog.hpp"
#include "core/s3/errors.hpp"

namespace shoal::s3 {
namespace {

S3Error from_refusal(const meta::Refused& r, const Target& target) {
    switch (r.why()) {
        case meta::Refusal::no_such_bucket: return no_such_bucket(target.bucket);
        case meta::Refusal::bucket_exists:
            return S3Error(409, "BucketAlreadyOwnedByYou",
                           "Your previous request to create the named bucket succeeded and you already own it.");
        case meta::Refusal::bucket_not_empty:
            return S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.");
        case meta::Refusal::no_such_key: return no_such_key(target.key);
        case meta::Refusal::no_such_version:
            return S3Error(404, "NoSuchVersion", "The specified version does not exist.");
        case meta::Refusal::no_such_upload:
            return S3Error(404, "NoSuchUpload",
                           "The specified multipart upload does not exist. The upload ID might be invalid, or the "
                           "multipart upload might have been aborted or completed.");
    }
    return S3Error(500, "InternalError", r.what());
}

// What a failure is, as the log names it.
struct Kind {
    log::Level level = log::Level::error;
    const char* what = "internal error";
};

}  // namespace

std::optional<S3Error> failure_of(std::exception_ptr error, const Call& call) {
    std::optional<S3Error> detailed;  // the message may say more than a client is told
    Kind kind;
    try {
        std::rethrow_exception(error);
    } catch (const S3Error& e) {
        detailed = e;
    } catch (const meta::Refused& e) {
        detailed = from_refusal(e, call.target);
    } catch (const engine::TooLarge&) {
        return S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
    } catch (const engine::InvalidPolicy& e) {
        return S3Error(400, "InvalidStorageClass", e.what());
    } catch (const engine::StorageUnavailable& e) {
        detailed = S3Error(503, "ServiceUnavailable", e.what());
        kind = {log::Level::warn, "storage unavailable"};
    } catch (const engine::ObjectUnreadable& e) {
        detailed = S3Error(500, "InternalError", e.what());
        kind.what = "object unreadable";
    } catch (const chunk::ChunkError& e) {
        detailed = S3Error(500, "InternalError", e.what());
        kind.what = "chunk error";
    } catch (const meta::MetaFull& e) {
        // Not transient, so not 503 (clients would retry): the operator must
        // make room. Deletes still work (core/meta/capacity.hpp).
        detailed = S3Error(507, "InsufficientStorage", e.what());
        kind = {log::Level::warn, "metadata store full"};
    } catch (const meta::MetaError& e) {
        detailed = S3Error(500, "InternalError", e.what());
        kind.what = "metadata error";
    } catch (const http::BodyError&) {
        return std::nullopt;  // answered by the HTTP layer
    } catch (const http::ConnectionLost&) {
        return std::nullopt;
    } catch (const std::exception& e) {
        // Unexpected (a bug, memory): still an answer with the request's id.
        detailed = S3Error(500, "InternalError", e.what());
    } catch (...) {
        return std::nullopt;
    }
    const int status = detailed->status();
    if (!is_internal_failure(status)) return detailed;

    const http::Request& request = call.request();
    call.services.log.write(kind.level, kind.what,
                            {{"request_id", call.request_id},
                             {"status", status},
                             {"code", detailed->code()},
                             {"method", request.method},
                             {"path", request.path()},
                             {"error", detailed->what()}});
    if (call.services.failures != nullptr) {
        call.services.failures->record({.request_id = call.request_id,
                                        .status = status,
                                        .code = detailed->code(),
                                        .method = request.method,
                                        .path = std::string(request.path()),
                                        .detail = detailed->what()});
    }
    return S3Error(status, detailed->code(), std::string(generic_message(status, detailed->code())));
}

}  // namespace shoal::s3
