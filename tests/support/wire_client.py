"""A raw MessagePack-RPC connection and process probes for the Python tests (loopback only).

Unlike the C++ test client it sends arbitrary bytes, reads with deadlines, and reports whether
the node closed the connection, which is what the adversarial and soak tests need.
"""
import socket
import subprocess
import time

import msgpack

from tls_setup import wrap_client_socket


def request(msgid, method, params):
    return msgpack.packb([0, msgid, method, [params]], use_bin_type=True)


class WireClient:
    """With `ssl_context` (tests/support/tls_setup.py), the connection speaks TLS: the handshake
    happens here, within `timeout_s`, and checks the node's certificate for 127.0.0.1."""

    def __init__(self, port, timeout_s=10, receive_buffer=None, ssl_context=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:  # set before connecting, so the window stays that small
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout_s)
        self.sock.connect(("127.0.0.1", port))
        self.sock = wrap_client_socket(self.sock, ssl_context)
        self.unpacker = msgpack.Unpacker(raw=False, max_buffer_size=64 << 20)
        self.closed = False
        self.msgid = 0

    def send(self, data):
        self.sock.sendall(data)

    def send_request(self, method, params=None):
        self.msgid += 1
        self.send(request(self.msgid, method, params or {}))
        return self.msgid

    def read(self, count, deadline_s=10):
        """Up to `count` messages; fewer if the deadline passes or the node closes."""
        out = []
        deadline = time.monotonic() + deadline_s
        while len(out) < count:
            for message in self.unpacker:
                out.append(message)
                if len(out) == count:
                    return out
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                break
            except ConnectionResetError:
                data = b""
            if not data:
                self.closed = True
            self.unpacker.feed(data)
        return out

    def read_to_end(self, deadline_s=10):
        return self.read(1 << 62, deadline_s)

    def call(self, method, params=None, deadline_s=10):
        """The result of a call; raises on an error response or no answer."""
        msgid = self.send_request(method, params)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            for message in self.read(1, deadline - time.monotonic()):
                if message[0] == 1 and message[1] == msgid:
                    if message[2] is not None:
                        raise RuntimeError(f"{method}: {message[2]}")
                    return message[3]
            if self.closed:
                break
        raise RuntimeError(f"{method}: no answer (closed: {self.closed})")

    def close(self):
        self.sock.close()


def rss_kib(pid):
    """The resident set size of process `pid`, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def is_sanitized(binary):
    """True for a binary built with AddressSanitizer (ROOMS_SANITIZE=ON). Its RSS says little
    about the program: ASan keeps freed memory in quarantine (256 MiB by default) on purpose."""
    libraries = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    return "libasan" in libraries


class Checks:
    """Collects failed checks instead of stopping at the first, so one run reports them all.
    Memory bounds (checks whose text starts with "memory:") are skipped under AddressSanitizer,
    whose quarantine keeps freed memory resident by design."""

    def __init__(self, check_memory=True):
        self.failures = []
        self.check_memory = check_memory

    def __call__(self, condition, what):
        if not condition and what.startswith("memory:") and not self.check_memory:
            print(f"not checked under AddressSanitizer: {what}", flush=True)
            return
        if not condition:
            self.failures.append(what)
            print(f"FAIL: {what}", flush=True)
