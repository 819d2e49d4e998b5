#include "core/s3/body_source.hpp"

#include <algorithm>
#include <cstring>

#include "core/s3/error.hpp"

namespace shoal::s3 {
namespace {

S3Error from_auth(const auth::Error& e) { return S3Error(e.http_status(), std::string(e.code_name()), e.message); }

}  // namespace

BodySource::BodySource(http::Exchange& exchange, const auth::Authenticated* auth) : exchange_(exchange), auth_(auth) {
    if (auth_ == nullptr) return;
    if (auth_->payload_mode == auth::PayloadMode::sha256) sha256_.emplace();
    if (auth::is_streaming(auth_->payload_mode)) decoder_.emplace(*auth_);
}

const std::vector<http::Header>& BodySource::trailers() const {
    static const std::vector<http::Header> none;
    return decoder_ ? decoder_->trailers() : none;
}

const std::string* BodySource::trailer(std::string_view name) const {
    return decoder_ ? decoder_->trailer(name) : nullptr;
}

asio::awaitable<std::size_t> BodySource::read(std::span<char> out) {
    if (out.empty()) co_return 0;
    if (!decoder_) {
        const std::size_t n = co_await exchange_.read_body(out);
        if (sha256_) {
            if (n > 0) {
                sha256_->update(std::string_view(out.data(), n));
            } else if (!finished_) {
                finished_ = true;
                if (auto error = auth::check_payload_sha256(*auth_, sha256_->finish())) throw from_auth(*error);
            }
        }
        co_return n;
    }
    // aws-chunked: decode raw body bytes until some payload is ready.
    while (decoded_.empty() && !finished_) {
        raw_.resize(out.size());
        const std::size_t n = co_await exchange_.read_body(std::span<char>(raw_.data(), raw_.size()));
        if (n == 0) {
            finished_ = true;
            if (auto error = decoder_->finish()) throw from_auth(*error);
            break;
        }
        if (auto error = decoder_->feed(std::string_view(raw_.data(), n), decoded_)) throw from_auth(*error);
    }
    const std::size_t n = std::min(out.size(), decoded_.size());
    std::memcpy(out.data(), decoded_.data(), n);
    decoded_.erase(0, n);
    co_return n;
}

}  // namespace shoal::s3
