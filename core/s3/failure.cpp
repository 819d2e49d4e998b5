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

}  // namespace

std::optional<S3Error> failure_of(std::exception_ptr error, const Call& call) {
    log::Logger& log = call.services.log;
    try {
        std::rethrow_exception(error);
    } catch (const S3Error& e) {
        return e;
    } catch (const meta::Refused& e) {
        return from_refusal(e, call.target);
    } catch (const engine::TooLarge&) {
        return S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
    } catch (const engine::InvalidPolicy& e) {
        return S3Error(400, "InvalidStorageClass", e.what());
    } catch (const engine::StorageUnavailable& e) {
        return S3Error(503, "ServiceUnavailable", e.what());
    } catch (const engine::ObjectUnreadable& e) {
        log.error("object unreadable", {{"request_id", call.request_id}, {"error", e.what()}});
        return S3Error(500, "InternalError", e.what());
    } catch (const chunk::ChunkError& e) {
        log.error("chunk error", {{"request_id", call.request_id}, {"error", e.what()}});
        return S3Error(500, "InternalError", e.what());
    } catch (const meta::MetaFull& e) {
        // Not transient, so not 503 (clients would retry): the operator must
        // make room. Deletes still work (core/meta/capacity.hpp).
        log.warn("metadata store full", {{"request_id", call.request_id}, {"error", e.what()}});
        return S3Error(507, "InsufficientStorage", e.what());
    } catch (const meta::MetaError& e) {
        log.error("metadata error", {{"request_id", call.request_id}, {"error", e.what()}});
        return S3Error(500, "InternalError", e.what());
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace shoal::s3
