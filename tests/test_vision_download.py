"""download=True against a local HTTP server on 127.0.0.1 serving generated files: mirrors,
checksums, resuming a dropped transfer, servers that ignore Range, wrong checksums, offline."""
import gzip
import hashlib
import io
import os
import pickle
import re
import socket
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from cytorch.vision import datasets
from cytorch.vision.datasets import utils as dl
from conftest import np_of
from test_vision_datasets import idx_bytes


class Server:
    """Serves `files` ({path: bytes}). Knobs per path: drop[path] = n closes the connection after
    n body bytes on that many first requests (drop_times), ignore_range makes it answer 200 always,
    stall seconds before the body."""

    def __init__(self):
        self.files, self.drop, self.drop_times, self.requests = {}, {}, {}, []
        self.ignore_range, self.stall = False, 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Range")))
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                rng = self.headers.get("Range")
                m = re.match(r"bytes=(\d+)-$", rng or "")
                if m and not outer.ignore_range:
                    start = int(m.group(1))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                part = body[start:]
                self.send_header("Content-Length", str(len(part)))
                self.send_header("Connection", "close")
                self.end_headers()
                if outer.stall:
                    time.sleep(outer.stall)
                if outer.drop_times.get(self.path, 0) > 0:
                    outer.drop_times[self.path] -= 1
                    self.wfile.write(part[:outer.drop[self.path]])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(part)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(dl, "RETRY_DELAY", 0.0)
    s = Server()
    yield s
    s.close()


def closed_port_url():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def md5(b):
    return hashlib.md5(b).hexdigest()


def gz(b):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(b)
    return buf.getvalue()


def mnist_files(seed=0):
    rng = np.random.default_rng(seed)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte": rng.integers(0, 10, 20, dtype=np.uint8),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, 4, dtype=np.uint8)}
    return arrays, {name + ".gz": gz(idx_bytes(a)) for name, a in arrays.items()}


def serve_mnist(server, monkeypatch, cls=datasets.MNIST, prefix="/mnist/"):
    arrays, files = mnist_files()
    for name, data in files.items():
        server.files[prefix + name] = data
    monkeypatch.setattr(cls, "mirrors", [server.url + prefix])
    monkeypatch.setattr(cls, "resources", [(name, md5(data)) for name, data in files.items()])
    return arrays, files


def test_mnist_download(server, monkeypatch, tmp_path):
    arrays, files = serve_mnist(server, monkeypatch)
    ds = datasets.MNIST(str(tmp_path), train=True, download=True)
    np.testing.assert_array_equal(np_of(ds.data), arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(np_of(ds.targets), arrays["train-labels-idx1-ubyte"])
    raw = tmp_path / "MNIST" / "raw"
    for name in arrays:                       # torchvision's layout: archives and their contents
        assert (raw / name).exists() and (raw / (name + ".gz")).exists()
    assert not list(raw.glob("*.part"))
    n = len(server.requests)
    assert n == 4
    datasets.MNIST(str(tmp_path), train=False, download=True)   # already there: nothing fetched
    assert len(server.requests) == n


def test_fashion_mnist_download_second_mirror(server, monkeypatch, tmp_path):
    arrays, files = serve_mnist(server, monkeypatch, cls=datasets.FashionMNIST, prefix="/good/")
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [server.url + "/missing/", server.url + "/good/"])
    ds = datasets.FashionMNIST(str(tmp_path), train=False, download=True)
    np.testing.assert_array_equal(np_of(ds.targets), arrays["t10k-labels-idx1-ubyte"])
    assert (tmp_path / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").exists()
    # a 404 is permanent: one request to the bad mirror per file, then the good one
    assert sum(p.startswith("/missing/") for p, _ in server.requests) == 4


def test_resume_after_dropped_connection(server, tmp_path):
    body = os.urandom(300_000)
    server.files["/f.bin"] = body
    server.drop["/f.bin"], server.drop_times["/f.bin"] = 100_000, 1
    path = dl.download_file([server.url + "/f.bin"], str(tmp_path), "f.bin", md5=md5(body))
    assert open(path, "rb").read() == body
    ranges = [r for p, r in server.requests]
    assert ranges[0] is None and ranges[1] == "bytes=100000-"     # the second request resumed
    assert not os.path.exists(path + ".part")


def test_resume_from_part_left_by_an_earlier_run(server, tmp_path):
    body = os.urandom(50_000)
    server.files["/f.bin"] = body
    (tmp_path / "f.bin.part").write_bytes(body[:20_000])
    dl.download_file(server.url + "/f.bin", str(tmp_path), "f.bin", sha256=hashlib.sha256(body).hexdigest())
    assert (tmp_path / "f.bin").read_bytes() == body
    assert server.requests == [("/f.bin", "bytes=20000-")]


def test_server_ignoring_range_restarts_the_file(server, tmp_path):
    body = os.urandom(80_000)
    server.files["/f.bin"] = body
    server.ignore_range = True
    server.drop["/f.bin"], server.drop_times["/f.bin"] = 30_000, 2
    path = dl.download_file(server.url + "/f.bin", str(tmp_path), "f.bin", md5=md5(body))
    assert open(path, "rb").read() == body
    assert len(server.requests) == 3


def test_stale_part_with_wrong_bytes_is_refetched(server, tmp_path):
    body = os.urandom(40_000)
    server.files["/f.bin"] = body
    (tmp_path / "f.bin.part").write_bytes(b"\0" * 10_000)       # not the start of this file
    dl.download_file(server.url + "/f.bin", str(tmp_path), "f.bin", md5=md5(body))
    assert (tmp_path / "f.bin").read_bytes() == body
    assert [r for _, r in server.requests] == ["bytes=10000-", None]


def test_wrong_checksum_clear_error_and_file_not_kept(server, tmp_path):
    server.files["/f.bin"] = b"tampered content"
    with pytest.raises(RuntimeError) as e:
        dl.download_file([server.url + "/f.bin"], str(tmp_path), "f.bin", md5=md5(b"original content"))
    msg = str(e.value)
    assert "could not download f.bin from any mirror" in msg and "checksum mismatch" in msg
    assert md5(b"original content") in msg and f"put the files in {tmp_path} by hand" in msg
    assert not (tmp_path / "f.bin").exists() and not (tmp_path / "f.bin.part").exists()


def test_existing_file_with_wrong_checksum_is_replaced(server, tmp_path):
    body = b"the right bytes" * 100
    server.files["/f.bin"] = body
    (tmp_path / "f.bin").write_bytes(b"wrong")
    dl.download_file(server.url + "/f.bin", str(tmp_path), "f.bin", md5=md5(body))
    assert (tmp_path / "f.bin").read_bytes() == body


def test_offline_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(dl, "RETRY_DELAY", 0.0)
    monkeypatch.setattr(datasets.KMNIST, "mirrors", [closed_port_url() + "/a/", closed_port_url() + "/b/"])
    t0 = time.time()
    with pytest.raises(RuntimeError) as e:
        datasets.KMNIST(str(tmp_path), download=True)
    msg = str(e.value)
    assert "could not download train-images-idx3-ubyte.gz from any mirror" in msg
    assert "refused" in msg.lower()
    assert os.path.join(str(tmp_path), "KMNIST", "raw") in msg and "by hand" in msg
    assert time.time() - t0 < 20


def test_timeout_is_honoured(server, tmp_path):
    server.files["/slow.bin"] = b"x" * 10
    server.stall = 3.0
    t0 = time.time()
    with pytest.raises(RuntimeError, match="timed out"):
        dl.download_file(server.url + "/slow.bin", str(tmp_path), "slow.bin", retries=1, timeout=0.5)
    assert time.time() - t0 < 2.9


def cifar_archive():
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    labels = {}
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        def add(name, obj):
            data = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            lab = [int(v) for v in rng.integers(0, 10, 3)]
            labels[name] = lab
            add(name, {"data": rng.integers(0, 256, (3, 3072), dtype=np.uint8), "labels": lab})
        add("batches.meta", {"label_names": [f"c{i}" for i in range(10)]})
    return buf.getvalue(), labels


def test_cifar_download_and_extract(server, monkeypatch, tmp_path):
    archive, labels = cifar_archive()
    server.files["/kriz/cifar-10-python.tar.gz"] = archive
    server.drop["/kriz/cifar-10-python.tar.gz"] = len(archive) // 3
    server.drop_times["/kriz/cifar-10-python.tar.gz"] = 1
    monkeypatch.setattr(datasets.CIFAR10, "url", closed_port_url() + "/cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "mirrors", [server.url + "/kriz/"])
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", md5(archive))
    ds = datasets.CIFAR10(str(tmp_path), train=False, download=True)
    assert ds.targets == labels["test_batch"] and ds.classes[2] == "c2"
    assert (tmp_path / "cifar-10-python.tar.gz").exists()
    assert [r for _, r in server.requests][-1] == f"bytes={len(archive) // 3}-"


def test_extract_archive_refuses_escaping_members(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    p = tmp_path / "a.tar.gz"
    p.write_bytes(buf.getvalue())
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError, match="refusing to extract"):
        dl.extract_archive(str(p), str(tmp_path / "out"))
    assert not (tmp_path / "evil.txt").exists()


def test_check_integrity(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(b"abc")
    assert dl.check_integrity(str(p)) and dl.check_integrity(str(p), md5=md5(b"abc"))
    assert not dl.check_integrity(str(p), md5=md5(b"abd"))
    assert dl.check_integrity(str(p), sha256=hashlib.sha256(b"abc").hexdigest())
    assert not dl.check_integrity(str(tmp_path / "missing"))
