"""Certificates and TLS client contexts for the Python tests (docs/security.md).

make_certs() runs tools/make-certs.sh into a directory and returns the paths of what it made;
client_context() builds the ssl.SSLContext that WireClient and crash_test.Connection take as
`ssl_context` (they connect to 127.0.0.1 and check the node's certificate for that address).
"""
import os
import ssl
import subprocess

MAKE_CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                          "make-certs.sh")


class Certs:
    """The files tools/make-certs.sh made in `directory`: ca.pem and ca.key, then NAME.pem and
    NAME.key for every node and for `client`."""

    def __init__(self, directory):
        self.dir = directory
        self.ca = os.path.join(directory, "ca.pem")
        self.ca_key = os.path.join(directory, "ca.key")

    def cert(self, name):
        return os.path.join(self.dir, f"{name}.pem")

    def key(self, name):
        return os.path.join(self.dir, f"{name}.key")

    def pair(self, name):
        """(certificate, key) of `name`."""
        return self.cert(name), self.key(name)

    def node_args(self, name, client_ca=False, cluster=False):
        """roomsd options serving TLS with `name`'s certificate; with `client_ca`, clients must
        present a certificate from this CA; with `cluster`, mutual TLS on the cluster port too."""
        args = ["--tls-cert", self.cert(name), "--tls-key", self.key(name)]
        if client_ca:
            args += ["--tls-ca", self.ca]
        if cluster:
            args += ["--cluster-tls-cert", self.cert(name), "--cluster-tls-key", self.key(name),
                     "--cluster-tls-ca", self.ca]
        return args


def make_certs(directory, nodes=("node",), expired=(), days=None, script=MAKE_CERTS,
               timeout_s=60):
    """Runs `tools/make-certs.sh [--days N] DIR NODE...` (NODE as make-certs.sh takes it: NAME
    or NAME=ADDR,...; it adds `client`), then `make-certs.sh --expired DIR NAME...` for the names
    in `expired`, signed by the same CA. Returns Certs(directory); raises with make-certs.sh's
    output if it fails."""
    runs = [(["--days", str(days)] if days else []) + [directory, *nodes]]
    if expired:
        runs.append(["--expired", directory, *expired])
    for args in runs:
        run = subprocess.run(["bash", script, *args], capture_output=True, text=True,
                             timeout=timeout_s)
        if run.returncode != 0:
            raise RuntimeError(f"make-certs.sh {' '.join(args)} failed ({run.returncode}): "
                               f"{run.stdout}{run.stderr}")
    return Certs(directory)


def client_context(ca=None, cert=None, key=None, maximum_version=None):
    """A client context that checks the server's certificate and host name: against `ca` (a PEM
    file), or the system's CAs when None. With `cert` and `key`, it presents that client
    certificate. `maximum_version` (an ssl.TLSVersion) caps the protocol, to try old ones."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
    if ca:
        context.load_verify_locations(cafile=ca)
    else:
        context.load_default_certs()
    if cert:
        context.load_cert_chain(cert, key)
    if maximum_version is not None:
        if maximum_version < ssl.TLSVersion.TLSv1_2:
            # Python's floor is TLS 1.2, and OpenSSL 3 offers TLS 1.0 and 1.1 only at security
            # level 0 (their handshakes sign with SHA-1).
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.maximum_version = maximum_version
    return context


def wrap_client_socket(sock, ssl_context):
    """`sock` itself without a context, else TLS over it, checking the node's certificate for
    127.0.0.1 (the address every test connects to); the socket is closed if the handshake
    fails."""
    if ssl_context is None:
        return sock
    try:
        return ssl_context.wrap_socket(sock, server_hostname="127.0.0.1")
    except BaseException:
        sock.close()
        raise
