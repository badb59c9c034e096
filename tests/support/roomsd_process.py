"""Starting and stopping real roomsd processes for the Python tests (loopback only, bounded)."""
import re
import signal
import subprocess
import time


def start_node(roomsd, data_dir, extra_args=(), deadline_s=20):
    """Starts roomsd on a free loopback port; returns (process, port)."""
    node = subprocess.Popen([roomsd, "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir,
                             *extra_args], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        line = node.stderr.readline()
        if not line:
            break
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if match:
            return node, int(match.group(1))
    node.kill()
    node.wait()
    raise RuntimeError(f"roomsd did not report its port (exit code {node.poll()})")


def stop_node(node, timeout_s=10):
    """SIGTERM, then SIGKILL past the timeout; returns the exit code."""
    if node.poll() is None:
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
    return node.returncode
