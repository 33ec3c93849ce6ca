"""A page under concurrent users over real HTTP (127.0.0.1 only): latency percentiles and bytes on the wire."""

from __future__ import annotations

import gzip
import http.client
import os
import random
import re
import statistics
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

USERS = 20
SECONDS = float(os.environ.get("PORTAL_BENCH_LOAD_SECONDS", "20"))
THINK = (0.5, 1.5)  # seconds between a user's page loads
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium asks for
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "zstd":
        from backports import zstd  # Python < 3.14; 3.14 has compression.zstd

        return zstd.decompress(body)
    return body


@dataclass
class Answer:
    status: int
    seconds: float
    wire: int  # body bytes as sent
    size: int  # body bytes decoded
    encoding: str
    location: str
    text: str


class Client:
    """One browser: its cookies, a new connection per request (gunicorn's sync workers close each one)."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None):
        self.base = base
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies or {})

    def fork(self) -> Client:
        """Another tab of the same session."""
        return Client(self.base, self.cookies)

    def request(self, method: str, path: str, form: dict | None = None, encodings: str = BROWSER_ENCODINGS) -> Answer:
        headers = {"Accept-Encoding": encodings, "User-Agent": "portal-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            took = time.perf_counter() - started
            for value in resp.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            encoding = resp.headers.get("Content-Encoding", "")
            plain = decoded(raw, encoding)
            return Answer(resp.status, took, len(raw), len(plain), encoding, resp.headers.get("Location", ""),
                          plain.decode("utf-8", "replace"))
        finally:
            conn.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def login(self, username: str, password: str) -> None:
        token = CSRF.search(self.get("/login").text).group(1)
        answer = self.request("POST", "/login", {"csrf_token": token, "username": username, "password": password})
        if answer.status != 302:
            raise RuntimeError(f"login of {username} answered {answer.status}")


@dataclass
class LoadResult:
    p50: float
    p95: float
    count: int
    wire: float  # mean bytes on the wire
    size: float  # mean decoded bytes
    encoding: str


def warm_up(make_client, paths: list[str], workers: int) -> None:
    """Every worker serves each page a few times first (templates compiled, catalogues and calendars loaded):
    the timing is of a server that has been running, not of its first minute."""
    def one() -> None:
        client = make_client()
        for _ in range(3):
            for path in paths:
                client.get(path)

    threads = [threading.Thread(target=one) for _ in range(workers * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def under_load(make_client, path: str, users: int = USERS, seconds: float = SECONDS) -> LoadResult:
    """`users` threads, each its own client, load `path` and think THINK seconds, for `seconds`."""
    answers: list[Answer] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    failures: list[str] = []

    def user(k: int) -> None:
        client = make_client()
        rnd = random.Random(k)
        time.sleep(rnd.uniform(0, THINK[1]))  # users arrive spread out, not all at once
        while time.perf_counter() < stop:
            answer = client.get(path)
            if answer.status != 200:
                failures.append(f"{path} answered {answer.status} {answer.location}")
                return
            with lock:
                answers.append(answer)
            time.sleep(rnd.uniform(*THINK))

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(failures[0])
    times = sorted(a.seconds for a in answers)
    return LoadResult(statistics.median(times), statistics.quantiles(times, n=20)[18], len(times),
                      statistics.mean(a.wire for a in answers), statistics.mean(a.size for a in answers),
                      answers[0].encoding)
