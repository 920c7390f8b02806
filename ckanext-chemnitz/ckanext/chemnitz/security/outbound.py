"""Every request the portal itself sends to an address from the catalogue (server-side request forgery guard).

An editor types resource URLs; the WFS preview and ``/karte`` fetch them on the server, inside the
city's network. So a fetch goes only to a host on ``ckanext.chemnitz.outbound.allowed_hosts``,
and never to a loopback, private, link-local, multicast, reserved or unspecified address (IPv4,
IPv6 and IPv4 inside IPv6) unless that exact ``host:port`` is listed (how the demo reaches its
replicas on 127.0.0.1). The check applies to the addresses the name resolves to, and the
connection goes to the address that was checked, so a DNS answer that changes in between
(rebinding) cannot redirect it; every redirect is checked again from the start. Answers are
limited in size and time. No proxy from the environment is used: it would connect instead of us.

Failures raise ``Refused`` with the precise reason, for the log only: a visitor (or the editor
probing the network) must get one and the same answer for a forbidden host, a closed port, a
timeout or a service that answered nonsense.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import ckan.plugins.toolkit as tk
import urllib3

ALLOWED_HOSTS = "ckanext.chemnitz.outbound.allowed_hosts"
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
CHUNK_BYTES = 64 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The fetch was not made or did not complete; the message is the reason, for the log only."""


@dataclass(frozen=True)
class Answer:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Allowlist:
    """``host`` (any port, public addresses only), ``host:port`` (also a private address), ``*.domain``."""

    hosts: frozenset[str]
    host_ports: frozenset[tuple[str, int]]
    domains: tuple[str, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        hosts, host_ports, domains = set(), set(), []
        for entry in entries:
            host, port = _split_host_port(entry.strip().lower())
            if host.startswith("*."):
                domains.append(host[1:])
            elif port is None:
                hosts.add(host)
            else:
                host_ports.add((host, port))
        return cls(frozenset(hosts), frozenset(host_ports), tuple(domains))

    def names(self, host: str, port: int) -> bool:
        return host in self.hosts or (host, port) in self.host_ports or any(host.endswith(d) for d in self.domains)

    def trusts_address_of(self, host: str, port: int) -> bool:
        """Whether this exact ``host:port`` was listed, so that it may resolve to an internal address."""
        return (host, port) in self.host_ports


def _split_host_port(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address; ValueError when malformed."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
        if rest and port is None:
            raise ValueError(f"malformed allowlist entry {entry!r}")
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:
        host, port = entry, None
    if not host or (port is not None and not port.isdigit()):
        raise ValueError(f"malformed allowlist entry {entry!r}")
    return host.rstrip("."), int(port) if port is not None else None


def is_forbidden(address: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified, shared, documentation …;
    an IPv6 address is judged by the IPv4 address it carries as well (mapped, 6to4, Teredo)."""
    carried: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        carried += [a for a in (address.ipv4_mapped, address.sixtofour, *(address.teredo or ())) if a]
    return any(not a.is_global or a.is_multicast or a.is_reserved for a in carried)


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # lower case ASCII (IDNA), no brackets, no trailing dot
    port: int
    path: str  # path and query

    @classmethod
    def parse(cls, url: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise Refused(f"malformed address {url!r}: {error}") from None
        if parts.scheme not in DEFAULT_PORTS:
            raise Refused(f"not an http(s) address: {url!r}")
        if parts.username is not None or parts.password is not None:
            raise Refused(f"credentials in the address: {url!r}")
        try:  # an international domain name as DNS and the allowlist spell it
            host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
        except UnicodeError:
            raise Refused(f"malformed host name in {url!r}") from None
        if not host:
            raise Refused(f"no host in {url!r}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, host, port or DEFAULT_PORTS[parts.scheme], path)

    @property
    def bracketed_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def host_header(self) -> str:
        default = self.port == DEFAULT_PORTS[self.scheme]
        return self.bracketed_host if default else f"{self.bracketed_host}:{self.port}"


def _checked_address(target: _Target, allowed: Allowlist) -> str:
    """The address to connect to: the host must be listed, and every address it resolves to allowed."""
    if not allowed.names(target.host, target.port):
        raise Refused(f"{target.host}:{target.port} is not on {ALLOWED_HOSTS}")
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{target.host} does not resolve: {error}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise Refused(f"{target.host} resolves to no address")
    forbidden = [a for a in addresses if is_forbidden(a)]
    if forbidden and not allowed.trusts_address_of(target.host, target.port):
        raise Refused(f"{target.host} resolves to the internal address {forbidden[0]}, not allowed for fetches")
    return str(addresses[0])


def _remaining(deadline: float, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Refused(f"no complete answer within {timeout:g} s")
    return left


def _request(
    target: _Target, address: str, headers: Mapping[str, str], deadline: float, timeout: float, max_bytes: int
) -> tuple[int, str, str | None, bytes]:
    """One GET to ``address`` (no redirect followed): status, content type, Location and body."""
    left = _remaining(deadline, timeout)
    limits = urllib3.Timeout(connect=left, read=left)
    if target.scheme == "https":  # the certificate must be the host's, although we connect to its address
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, target.port, timeout=limits, retries=False, maxsize=1, server_hostname=target.host,
            assert_hostname=target.host, cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=limits, retries=False, maxsize=1)
    try:
        with pool:
            answer = pool.urlopen(
                "GET", target.path, headers={**headers, "Host": target.host_header},
                redirect=False, retries=False, preload_content=False,
            )  # fmt: skip
            try:
                length = answer.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise Refused(f"the answer has {length} bytes, more than {max_bytes}")
                body = bytearray()
                while chunk := _read(answer, _remaining(deadline, timeout)):
                    body += chunk
                    if len(body) > max_bytes:
                        raise Refused(f"the answer is larger than {max_bytes} bytes")
            finally:
                answer.release_conn()
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise Refused(f"{target.host}:{target.port} ({address}) did not answer: {error}") from None
    return answer.status, answer.headers.get("Content-Type", ""), answer.headers.get("Location"), bytes(body)


def _read(answer: urllib3.BaseHTTPResponse, seconds: float) -> bytes:
    """The next piece of the body, waiting at most ``seconds`` (what is left of the whole time)."""
    sock = getattr(answer.connection, "sock", None)
    if sock is not None:
        sock.settimeout(seconds)
    return answer.read1(CHUNK_BYTES)


def exact_entry(url: str) -> str:
    """The allowlist entry ``host:port`` that trusts exactly the server of ``url``."""
    target = _Target.parse(url)
    return f"{target.bracketed_host}:{target.port}"


def allowlist() -> Allowlist:
    try:
        return Allowlist.parse(tk.aslist(tk.config.get(ALLOWED_HOSTS)))
    except ValueError as error:
        raise Refused(f"{ALLOWED_HOSTS}: {error}") from None


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    also_allowed: Iterable[str] = (),
) -> Answer:
    """GET ``url`` within ``timeout`` seconds in all (redirects included) and ``max_bytes``.

    ``also_allowed``: further allowlist entries for this call (an operator's command line). Any
    HTTP status is an answer; everything else that goes wrong raises ``Refused``.
    """
    deadline = time.monotonic() + timeout
    allowed = allowlist()
    if also_allowed:
        extra = Allowlist.parse(also_allowed)
        allowed = Allowlist(
            allowed.hosts | extra.hosts, allowed.host_ports | extra.host_ports, allowed.domains + extra.domains
        )
    for _hop in range(MAX_REDIRECTS + 1):
        target = _Target.parse(url)
        address = _checked_address(target, allowed)
        status, content_type, location, body = _request(target, address, headers or {}, deadline, timeout, max_bytes)
        if status not in REDIRECTS or not location:
            return Answer(url, status, content_type, body)
        url = urljoin(url, location)
    raise Refused(f"more than {MAX_REDIRECTS} redirects")
