"""A real S3 protocol server for the storage tests: moto's standalone server (`moto[server]`, a dev dependency),
started on 127.0.0.1 in a process of its own, so that tests can stop it and start it again, and other
processes (gunicorn, the backup scripts) reach it as they would reach MinIO or AWS.

Without moto installed the tests that need it skip, except with CI=true, where they fail.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ACCESS_KEY = "libreria-test"
SECRET_KEY = "libreria-test-secret"
REGION = "eu-south-1"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class S3Server:
    port: int
    log: Path
    process: subprocess.Popen = field(default=None, repr=False)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        handle = open(self.log, "a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        pytest.fail("moto's S3 server did not listen within 30 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def create_buckets(self, *names):
        client = self.client()
        for name in names:
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return names

    def new_buckets(self):
        """A private and a public bucket with fresh names: (private, public)."""
        suffix = uuid.uuid4().hex[:10]
        return self.create_buckets(f"libreria-private-{suffix}", f"libreria-public-{suffix}")

    def environment(self, private, public):
        """The variables an operator sets for this server (README, Configuration)."""
        return {
            "S3_BUCKET": private,
            "S3_PUBLIC_BUCKET": public,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def objects(self, bucket):
        """{key: bytes} of every object in a bucket."""
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    try:
        import moto.server  # noqa: F401
    except ImportError as error:
        message = f"moto[server] is not installed ({error}): object storage cannot be tested"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = S3Server(free_port(), tmp_path_factory.mktemp("s3") / "moto.log").start()
    yield server
    server.stop()
