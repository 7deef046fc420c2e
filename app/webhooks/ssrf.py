"""The SSRF guard (DESIGN §13): a webhook must never become a way into the internal network.

Two checks, both for the API (at create and update) and for the delivery worker (before every attempt):

- ``check_url`` looks at the URL alone: ``https://`` only, no credentials, the scheme's default port, no IP literal
  that is not public and no name that is local by definition (``localhost``, ``*.local``, …).
- ``resolve_public`` resolves the host and refuses it unless every address is public. The worker connects to the
  addresses it returns, so a name that resolves to a public address here cannot point elsewhere at connect time.

A host in ``KPR_WEBHOOK_ALLOWED_HOSTS`` (matched exactly, case-insensitively; IP literals by address) is exempt from
all of it except the scheme, which may then also be ``http://``. Refusals are exceptions carrying a catalogue
``Message``, never HTTP errors: the service turns them into a 422 on ``url``, the worker into a delivery's error.
"""

import asyncio
import ipaddress
import re
import socket
from collections.abc import Collection
from urllib.parse import SplitResult, urlsplit

from app.core.i18n import Message

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"https": 443, "http": 80}
# Names that are local by definition (RFC 6761 localhost, RFC 6762 .local mDNS, .internal per ICANN): whatever a
# resolver answers for them today, they mean "this machine" or "this network".
_LOCAL_NAMES = frozenset({"localhost"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal")
# A host name once encoded to ASCII: letters, digits, hyphens and underscores in dot-separated labels.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
# What inet_aton might read as an IPv4 address: digits, hex digits after 0x, dots.
_LEGACY_IPV4 = re.compile(r"[0-9a-fA-FxX.]+")
# The well-known NAT64 prefix (RFC 6052): through a NAT64 gateway, 64:ff9b::7f00:1 reaches 127.0.0.1, so the IPv4
# address it embeds is the one to judge.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """A webhook target that may not be called; ``message`` says why, in any language (``message.render()``)."""

    def __init__(self, key: str, **params: object) -> None:
        self.message = Message(key, params)
        super().__init__(self.message.render("en"))


class UnsafeUrl(TargetRefused):
    """The URL itself is refused: scheme, credentials, port, or a host that is not public."""


class UnsafeAddress(UnsafeUrl):
    """The host resolves to an address that is not public."""


class ResolutionFailed(TargetRefused):
    """The host does not resolve (now): a failed attempt to record, not a verdict on the URL."""


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a globally routable unicast address.

    ``is_global`` excludes the private, shared (100.64/10), loopback, link-local, unique-local, documentation and
    reserved ranges; multicast counts as global for it, hence the explicit checks. IPv6 addresses that carry an IPv4
    address (mapped, 6to4, Teredo, NAT64) are judged by that address too.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(ipv4 is not None and not is_public(ipv4) for ipv4 in embedded):
            return False
        if address.ipv4_mapped is not None:
            return True
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, or None for a name.

    Besides the standard forms, resolvers (``inet_aton``) read the legacy IPv4 spellings ``127.1``, ``2130706433``,
    ``0x7f000001`` and ``0177.0.0.1``, so they are addresses too, not names.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _normalized(host: str) -> str:
    host = host.strip().lower().removeprefix("[").removesuffix("]")
    address = ip_literal(host)
    return str(address) if address is not None else host.rstrip(".")


def _allowed(host: str, allowed_hosts: Collection[str]) -> bool:
    return _normalized(host) in {_normalized(entry) for entry in allowed_hosts if entry.strip()}


def _split(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl("field.webhook_url_too_long", limit=MAX_URL_LENGTH)
    # Whitespace, control characters and backslashes are where URL parsers disagree (a backslash is a slash to a
    # browser's parser, not to urllib's): what is refused here cannot be read one way now and another at send time.
    if "\\" in url or any(char.isspace() or not char.isprintable() for char in url):
        raise UnsafeUrl("field.webhook_url_invalid")
    try:
        parts = urlsplit(url)  # an unbalanced IPv6 bracket raises
    except ValueError as exc:
        raise UnsafeUrl("field.webhook_url_invalid") from exc
    return parts


def _check_host(host: str) -> None:
    try:
        # As the resolver sees it: IDNA maps full-width digits and dots to ASCII ("１２７．０．０．１" is 127.0.0.1).
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise UnsafeUrl("field.webhook_url_invalid") from exc
    address = ip_literal(host) or ip_literal(ascii_host)
    if address is not None:
        if not is_public(address):
            raise UnsafeUrl("field.webhook_url_address", address=str(address))
        return
    if not _HOST_NAME.fullmatch(ascii_host):
        raise UnsafeUrl("field.webhook_url_invalid")
    name = ascii_host.rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES):
        raise UnsafeUrl("field.webhook_url_local_name", host=host)


def check_url(url: str, allowed_hosts: Collection[str]) -> None:
    """Refuse (``UnsafeUrl``) a URL a webhook may not call, by the URL alone; None when it may.

    A name that passes may still resolve to a private address: the worker calls ``resolve_public`` before each attempt.
    """
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeUrl("field.webhook_url_scheme")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("field.webhook_url_invalid")
    allowed = _allowed(host, allowed_hosts)
    if scheme != "https" and not allowed:
        raise UnsafeUrl("field.webhook_url_scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeUrl("field.webhook_url_credentials")
    try:
        port = parts.port
    except ValueError as exc:  # not a number, or out of range
        raise UnsafeUrl("field.webhook_url_invalid") from exc
    if allowed:
        return
    if port is not None and port != DEFAULT_PORTS[scheme]:
        raise UnsafeUrl("field.webhook_url_port", port=DEFAULT_PORTS[scheme])
    _check_host(host)


def host_and_port(url: str) -> tuple[str, int]:
    """The host (as ``resolve_public`` takes it) and port a URL that passed ``check_url`` connects to."""
    parts = _split(url)
    host = parts.hostname
    if not host:
        raise UnsafeUrl("field.webhook_url_invalid")
    try:
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("field.webhook_url_invalid") from exc
    return host, port if port is not None else DEFAULT_PORTS.get(parts.scheme.lower(), 443)


async def resolve_public(host: str, port: int, allowed_hosts: Collection[str]) -> list[str]:
    """The addresses ``host`` resolves to (the event loop's resolver), each public unless the host is allowed.

    Raises ``UnsafeAddress`` when any address is not public (one private answer is enough for a rebinding attack to
    pick it), ``ResolutionFailed`` when the name does not resolve.
    """
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise ResolutionFailed("webhook.unresolvable", host=host, reason=str(exc) or type(exc).__name__) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise ResolutionFailed("webhook.unresolvable", host=host, reason="no address")
    if _allowed(host, allowed_hosts):
        return addresses
    for address in addresses:
        try:
            # A scoped IPv6 answer (fe80::1%eth0) is link-local whatever its scope.
            parsed = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError as exc:
            raise UnsafeAddress("webhook.resolved_private", host=host, address=address) from exc
        if not is_public(parsed):
            raise UnsafeAddress("webhook.resolved_private", host=host, address=address)
    return addresses
