#!/usr/bin/python3
"""A multipart upload of S3's maximum of 10,000 parts, through boto3: every part
listed page by page, completed in one request, read back whole, by range and by
part number. (Under an emulator the count is smaller: the request rate is.)"""
import argparse
import concurrent.futures
import hashlib
import sys
import unittest


from shoald_process import Daemon, run_suite, ROOT_PASSWORD, ROOT_USER, clean_env, s3_client

ARGS = None
DAEMON = None


def client():
    return s3_client(DAEMON.endpoint, max_pool_connections=16)


def part_body(number):
    # 1 to 32 bytes, different for every part.
    return hashlib.sha256(b"part %d" % number).digest()[: 1 + number % 32]


class ManyParts(unittest.TestCase):
    def test_maximum_part_count(self):
        count = 2000 if ARGS.emulator else 10000
        s3 = client()
        s3.create_bucket(Bucket="parts")
        upload_id = s3.create_multipart_upload(Bucket="parts", Key="k")["UploadId"]

        def upload(number):
            return number, s3.upload_part(Bucket="parts", Key="k", UploadId=upload_id, PartNumber=number,
                                          Body=part_body(number))["ETag"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            etags = dict(pool.map(upload, range(1, count + 1)))

        listed = []
        marker = 0
        while True:
            page = s3.list_parts(Bucket="parts", Key="k", UploadId=upload_id, PartNumberMarker=marker)
            self.assertLessEqual(len(page["Parts"]), 1000)
            listed += [(p["PartNumber"], p["ETag"], p["Size"]) for p in page["Parts"]]
            if not page["IsTruncated"]:
                break
            marker = page["NextPartNumberMarker"]
        self.assertEqual(listed, [(n, etags[n], len(part_body(n))) for n in range(1, count + 1)])

        done = s3.complete_multipart_upload(
            Bucket="parts", Key="k", UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etags[n]} for n in range(1, count + 1)]})
        digest = hashlib.md5(b"".join(bytes.fromhex(etags[n].strip('"')) for n in range(1, count + 1))).hexdigest()
        self.assertEqual(done["ETag"], '"%s-%d"' % (digest, count))

        body = b"".join(part_body(n) for n in range(1, count + 1))
        got = s3.get_object(Bucket="parts", Key="k")
        self.assertEqual(got["ContentLength"], len(body))
        self.assertEqual(got["Body"].read(), body)
        start = len(body) // 3
        ranged = s3.get_object(Bucket="parts", Key="k", Range="bytes=%d-%d" % (start, start + 4999))
        self.assertEqual(ranged["Body"].read(), body[start:start + 5000])
        last = s3.get_object(Bucket="parts", Key="k", PartNumber=count)
        self.assertEqual(last["PartsCount"], count)
        self.assertEqual(last["Body"].read(), part_body(count))

        s3.delete_object(Bucket="parts", Key="k")
        self.assertEqual(DAEMON.chunk_files(), [])
        s3.delete_bucket(Bucket="parts")


def main():
    global ARGS, DAEMON
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoald", required=True)
    parser.add_argument("--emulator", default="")
    ARGS, rest = parser.parse_known_args()
    env = clean_env(SHOAL_ROOT_USER=ROOT_USER, SHOAL_ROOT_PASSWORD=ROOT_PASSWORD, SHOAL_S3_MIN_PART_SIZE="1")
    DAEMON = Daemon(ARGS.shoald, ARGS.emulator, env=env)
    run_suite(lambda: DAEMON, [sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
