#include <catch2/catch.hpp>

#include "core/http/response.hpp"
#include "core/s3/errors.hpp"

using namespace shoal;

TEST_CASE("serialize_head frames the body and the connection", "[http]") {
    http::Response r;
    r.status = 200;
    r.set("X-Test", "1");
    r.body = "hello";
    const std::string head = http::serialize_head(r.status, r.headers, http::BodyFrame::of_length(r.body.size()), true,
                                                  "Wed, 25 Nov 2026 11:31:19 GMT");
    CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(head.find("\r\nContent-Length: 5\r\n") != std::string::npos);
    CHECK(head.find("\r\nX-Test: 1\r\n") != std::string::npos);
    CHECK(head.find("\r\nDate: Wed, 25 Nov 2026 11:31:19 GMT\r\n") != std::string::npos);
    CHECK(head.find("\r\nConnection: keep-alive\r\n\r\n") == head.size() - 28);

    const std::string no_content = http::serialize_head(204, r.headers, http::BodyFrame::of_length(0), false, "d");
    CHECK(no_content.find("Content-Length") == std::string::npos);
    CHECK(no_content.find("Connection: close\r\n\r\n") != std::string::npos);

    const std::string chunked = http::serialize_head(200, {}, {http::BodyFrame::chunked, 0}, true, "d");
    CHECK(chunked.find("\r\nTransfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(chunked.find("Content-Length") == std::string::npos);
}

TEST_CASE("http_date_now is an IMF-fixdate", "[http]") {
    const std::string date = http::http_date_now();
    REQUIRE(date.size() == 29);
    CHECK(date.substr(25) == " GMT");
    CHECK(date[3] == ',');
}

TEST_CASE("S3 errors are XML with code, message and escaped resource", "[s3]") {
    const http::Response r = s3::error_response(404, "NoSuchKey", "The specified key does not exist.", "/b/<&>");
    CHECK(r.status == 404);
    CHECK(r.body.find("<Code>NoSuchKey</Code>") != std::string::npos);
    CHECK(r.body.find("<Resource>/b/&lt;&amp;&gt;</Resource>") != std::string::npos);
    CHECK(s3::transport_error(431, "x").body.find("<Code>RequestHeaderSectionTooLarge</Code>") != std::string::npos);
    CHECK(s3::transport_error(503, "x").status == 503);
}
