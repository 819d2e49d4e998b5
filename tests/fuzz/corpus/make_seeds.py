#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/ (corpus/<target>/seed-*).

The seeds are committed; run this again only to change them. It documents the
input layouts of the targets that read a binary prefix or use
FuzzedDataProvider (which takes integers from the *end* of the input).
"""
import hashlib
import hmac
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the AWS examples' key, as in the fuzzers
AMZ_DATE = "20130524T000000Z"
SCOPE = "20130524/us-east-1/s3/aws4_request"
SEED_SIGNATURE = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def signing_key():
    key = ("AWS4" + SECRET).encode()
    for part in ("20130524", "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign(text):
    return hmac.new(signing_key(), text.encode(), hashlib.sha256).hexdigest()


def aws_chunked(chunks, signed, trailers=None, signed_trailer=False):
    out, previous = b"", SEED_SIGNATURE
    for data in list(chunks) + [b""]:
        line = b"%x" % len(data)
        if signed:
            previous = sign("AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%s\n%s\n%s" % (
                AMZ_DATE, SCOPE, previous, EMPTY_SHA256, hashlib.sha256(data).hexdigest()))
            line += b";chunk-signature=" + previous.encode()
        out += line + b"\r\n" + data + (b"\r\n" if data else b"")
    if trailers is not None:
        canonical = "".join("%s:%s\n" % t for t in trailers)
        for name, value in trailers:
            out += ("%s:%s\r\n" % (name, value)).encode()
        if signed_trailer:
            sig = sign("AWS4-HMAC-SHA256-TRAILER\n%s\n%s\n%s\n%s" % (
                AMZ_DATE, SCOPE, previous, hashlib.sha256(canonical.encode()).hexdigest()))
            out += b"x-amz-trailer-signature:" + sig.encode() + b"\r\n"
    return out + b"\r\n"


def flip_signature(body):
    at = body.index(b"chunk-signature=") + len(b"chunk-signature=")
    return body[:at] + (b"0" if body[at:at + 1] != b"0" else b"1") + body[at + 1:]


def fdp_tail(*fields):
    """Bytes that FuzzedDataProvider hands back, in order, as the given integers.

    Each field is (value, byte_count); the first field is consumed first, from the
    end of the input, most significant byte first."""
    tail = b""
    for value, count in fields:
        tail = value.to_bytes(count, "little") + tail
    return tail


def write(target, seeds):
    directory = os.path.join(HERE, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, data in seeds.items():
        with open(os.path.join(directory, "seed-" + name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("latin-1"))


def crlf(text):
    return text.replace("\n", "\r\n")


def main():
    write("request_head", {
        "get": crlf("GET /bucket/key?versionId=1 HTTP/1.1\nHost: s3.local\nRange: bytes=0-9\n\n"),
        "put-length": crlf("PUT /b/k HTTP/1.1\nHost: h\nContent-Length: 5\nExpect: 100-continue\n\nhello"),
        "post-chunked": crlf("POST /b?delete HTTP/1.0\nTransfer-Encoding: chunked\n\n"),
        "put-chunked": crlf("PUT /b/k HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nx-amz-meta-a:  x \n\n"),
        "smuggle": crlf("POST / HTTP/1.1\nContent-Length: 4\nTransfer-Encoding: chunked\n\n"),
        "two-lengths": crlf("PUT / HTTP/1.1\nContent-Length: 4\nContent-Length: 04\n\n"),
        "folded": crlf("GET * HTTP/1.1\nA: b\n c\n\n"),
        "http2": crlf("GET / HTTP/2.0\n\n"),
        "bare-lf": "GET / HTTP/1.1\nHost: x\n\n",
        "pipelined": crlf("GET /a HTTP/1.1\n\nGET /b HTTP/1.1\n\n"),
    })

    seed = struct.pack("<Q", 0x9E3779B97F4A7C15)
    write("http_chunked", {
        "simple": seed + b"\x07" + b"5\r\nhello\r\n0\r\n\r\n",
        "ext-trailer": seed + b"\x01" + b"3;name=v\r\nabc\r\n1A\r\n" + b"x" * 26 + b"\r\n0\r\nx-amz-checksum-crc32: AAAAAA==\r\n\r\n",
        "next-request": seed + b"\x20" + b"2\r\nhi\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "too-long-data": seed + b"\x03" + b"2\r\nhello\r\n0\r\n\r\n",
        "bad-size": seed + b"\x03" + b"zz\r\n",
        "huge-size": seed + b"\x03" + b"fffffffffffffff\r\nab",
        "bare-lf": seed + b"\x03" + b"1\nA\n0\n\n",
    })

    # aws_chunked, raw form: body + decoded length (2 bytes) + split seed (8) + flags (1).
    def aws_raw(body, decoded_length, flags, split=0x0123456789ABCDEF):
        return body + fdp_tail((flags, 1), (split, 8), (decoded_length, 2))
    signed = aws_chunked([b"hello ", b"world"], signed=True)
    write("aws_chunked", {
        "signed": aws_raw(signed, 11, 0),
        "signed-trailer": aws_raw(aws_chunked([b"abc"], True, [("x-amz-checksum-crc32", "NSRBwg==")], True), 3, 1 | 32),
        "unsigned-trailer": aws_raw(aws_chunked([b"abc", b"d"], False, [("x-amz-checksum-crc32c", "AAAAAA==")]), 4, 2),
        "signed-bad-signature": aws_raw(flip_signature(signed), 11, 0),
        "signed-short": aws_raw(signed, 12, 0),
        "unsigned-bare-lf": aws_raw(b"3\nabc\n0\n\n", 3, 2),
        "small-limits": aws_raw(aws_chunked([b"x" * 40], False, [("a", "b"), ("c", "d"), ("e", "f")]), 40, 2 | 8),
        # generated form (flags & 4): the rest of the input drives the generator.
        "generated-signed": b"payload bytes for the generator" * 3 + fdp_tail((4, 1)),
        "generated-trailer": b"\x05x-amz-checksum\x10trailer value\x02" * 4 + fdp_tail((5, 1)),
        "generated-unsigned": b"\x00\x01\x02\x03 some more bytes" * 4 + fdp_tail((6 | 32, 1)),
    })

    get_object = crlf(
        "GET /test.txt HTTP/1.1\n"
        "Host: examplebucket.s3.amazonaws.com\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n"
        "Range: bytes=0-9\n"
        "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date: 20130524T000000Z\n\n")
    put_object = crlf(
        "PUT /test$file.text HTTP/1.1\n"
        "Host: examplebucket.s3.amazonaws.com\n"
        "Date: Fri, 24 May 2013 00:00:00 GMT\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd\n"
        "x-amz-date: 20130524T000000Z\n"
        "x-amz-storage-class: REDUCED_REDUNDANCY\n"
        "x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
        "Content-Length: 21\n\n")
    list_objects = crlf(
        "GET /?max-keys=2&prefix=J HTTP/1.1\n"
        "Host: examplebucket.s3.amazonaws.com\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
        "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7\n"
        "x-amz-date: 20130524T000000Z\n"
        "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\n")
    presigned = crlf(
        "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
        "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\n"
        "Host: examplebucket.s3.amazonaws.com\n\n")
    raw = fdp_tail((0, 1))  # form 0: the input is a request head
    write("sigv4", {
        "get-object": get_object + raw.decode("latin-1"),
        "put-object-date": put_object + raw.decode("latin-1"),
        "list-objects": list_objects + raw.decode("latin-1"),
        "presigned": presigned + raw.decode("latin-1"),
        "v2": crlf("GET /b/k HTTP/1.1\nHost: h\nAuthorization: AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=\n\n") + "\x00",
        "v2-query": crlf("GET /b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x&Expires=1 HTTP/1.1\nHost: h\n\n") + "\x00",
        "both": crlf("GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256 HTTP/1.1\nAuthorization: AWS4-HMAC-SHA256 Credential=a\n\n") + "\x00",
        "generated-header": b"\x01\x07bucket\x10key/with spaces\x01\x03x-amz-meta\x05value" * 2 + fdp_tail((1, 1)),
        "generated-presigned": b"\x00\x09photos\x20a+b=c&d\x02prefix\x01\x02" * 2 + fdp_tail((2, 1)),
    })

    write("s3_target", {
        "path-style": "\x00\n/bucket/some/key.txt?versionId=3&acl\nmy-bucket",
        "hosted": "\x01bucket.s3.example.com:9000\n/a%20key%2Fwith+plus?prefix=a%2Bb&list-type=2\nk\xc3\xa9y",
        "hosted-port-v6": "\x01[::1]:9000\n/?delete\nbucket.name",
        "bad-escape": "\x00\n/b/%zz?x=%4\n%",
        "utf8-edges": "\x00\n/b/%ED%A0%80%F4%90%80%80\n\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf",
        "ip-name": "\x00\n/192.168.1.1/k\n192.168.1.1",
        "star": "\x00\n*\nxn--abc",
        "copy-source": "\x00\n/b/k\n/src-bucket/dir/a%20b%2Bc?versionId=0001A2B3C4D5E6F7",
        "tagging-header": "\x00\n/b/k?tagging\na=1&b=two%20words+x&flag&c=%3D%26",
    })

    def rng(size, header):
        return struct.pack("<Q", size) + header.encode()
    write("range", {
        "first-last": rng(100, "bytes=0-9"),
        "open": rng(100, "bytes=90-"),
        "suffix": rng(100, "bytes=-500"),
        "past-end": rng(100, "bytes=100-200"),
        "empty-object": rng(0, "bytes=0-0"),
        "multi": rng(100, "bytes=0-1,5-6"),
        "reversed": rng(100, "bytes=9-0"),
        "huge": rng(1 << 63 | 5, "bytes=18446744073709551615-"),
        "zero-suffix": rng(10, "bytes=-0"),
        "copy-last-byte": rng(100, "bytes=99-99"),
        "copy-leading-zeros": rng(100, "bytes=007-0010"),
    })

    write("s3_xml", {
        "delete": '<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>'
                  "<Object><Key>a.txt</Key></Object><Object><Key>b</Key><VersionId>v1</VersionId></Object></Delete>",
        "complete": "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>"
                    "</Part><Part><PartNumber>2</PartNumber><ETag>0c78aef83f66abc1fa1e8477f296d394</ETag></Part>"
                    "</CompleteMultipartUpload>",
        "complete-order": "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber></Part><Part><PartNumber>1"
                          "</PartNumber></Part></CompleteMultipartUpload>",
        "versioning": '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status>'
                      "<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>",
        "versioning-mfa": "<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Enabled</MfaDelete>"
                          "</VersioningConfiguration>",
        "location": "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
                    "</CreateBucketConfiguration>",
        "entities": "<!DOCTYPE d [<!ENTITY e \"x\">]><Delete><Object><Key>&amp;&#x41;&e;<![CDATA[<k>]]></Key>"
                    "</Object></Delete>",
        "broken": "<Delete><Object><Key>a</Object>",
        "tagging": '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a&amp;b</Key>'
                   "<Value>x y</Value></Tag><Tag><Key>cr</Key><Value>&#13;<![CDATA[v]]></Value></Tag></TagSet></Tagging>",
        "tagging-duplicate": "<Tagging><TagSet><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2"
                             "</Value></Tag></TagSet></Tagging>",
    })

    write("config", {
        "full": "[server]\naddress = \"127.0.0.1:9100\"\nthreads = 3\nmax_connections = 50\n"
                "header_timeout = \"250ms\"\nidle_timeout = \"2m\"\nbody_timeout = \"1h\"\nshutdown_grace = \"10s\"\n"
                "[storage]\ndrives = [\"/mnt/d1\", \"/mnt/d2\"]\nmetadata_dir = \"/var/lib/shoal\"\n"
                "inline_threshold = 0\nchunk_size = 65536\n"
                "[s3]\nregion = \"eu-west-1\"\ndomains = [\"s3.example.com\"]\nmin_part_size = 1\n"
                "[log]\nlevel = \"debug\"\nformat = \"json\"\n",
        "ipv6": "[server]\naddress = \"[::1]:0\"\n",
        "dotted": "server.threads = 2\nlog = { level = \"warn\" }\n",
        "bad-type": "[server]\nthreads = \"two\"\n",
        "unknown": "[server]\nport = 9000\n",
        "syntax": "[server\naddress = 1\n",
        "negative": "[storage]\nchunk_size = -1\n",
    })


if __name__ == "__main__":
    main()
