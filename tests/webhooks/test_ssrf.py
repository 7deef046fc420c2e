"""The SSRF guard (DESIGN §13): a webhook never reaches into the internal network.

Each refusal is its own test, through the API (422 on ``url``, in both languages) and, for what only resolving can
tell, through ``resolve_public`` with the event loop's resolver replaced.
"""

import asyncio
import socket
from typing import Any

import pytest
from httpx import AsyncClient

from app.core.config import Settings
from app.webhooks.ssrf import (
    ResolutionFailed,
    UnsafeAddress,
    UnsafeUrl,
    check_url,
    host_and_port,
    resolve_public,
)
from tests.assertions import assert_problem, ok
from tests.conftest import AppClientFactory
from tests.factories import Tenant

WEBHOOKS = "/api/v1/webhooks"

REFUSED = {
    "http without the allowlist": "http://hooks.example.com/kpr",
    "file scheme": "file:///etc/passwd",
    "ftp scheme": "ftp://files.example.com/drop",
    "gopher scheme": "gopher://example.com:70/_",
    "credentials": "https://user:pass@hooks.example.com/kpr",
    "user name only": "https://admin@hooks.example.com/kpr",
    "odd port": "https://hooks.example.com:8443/kpr",
    "loopback v4": "https://127.0.0.1/kpr",
    "loopback v4, other address": "https://127.5.6.7/kpr",
    "loopback v6": "https://[::1]/kpr",
    "private 10/8": "https://10.1.2.3/kpr",
    "private 172.16/12": "https://172.16.0.1/kpr",
    "private 172.31": "https://172.31.255.254/kpr",
    "private 192.168/16": "https://192.168.1.10/kpr",
    "link-local, cloud metadata": "https://169.254.169.254/latest/meta-data/",
    "link-local v6": "https://[fe80::1]/kpr",
    "unique-local v6": "https://[fd12:3456::1]/kpr",
    "ipv4-mapped v6 loopback": "https://[::ffff:127.0.0.1]/kpr",
    "ipv4-mapped v6 metadata": "https://[::ffff:a9fe:a9fe]/kpr",
    "nat64 of loopback": "https://[64:ff9b::7f00:1]/kpr",
    "6to4 of private": "https://[2002:c0a8:0101::1]/kpr",
    "unspecified 0.0.0.0": "https://0.0.0.0/kpr",
    "unspecified v6": "https://[::]/kpr",
    "shared address space 100.64/10": "https://100.64.0.1/kpr",
    "multicast": "https://224.0.0.251/kpr",
    "reserved 240/4": "https://240.0.0.1/kpr",
    "broadcast": "https://255.255.255.255/kpr",
    "legacy decimal ipv4": "https://2130706433/kpr",
    "legacy short ipv4": "https://127.1/kpr",
    "legacy hex ipv4": "https://0x7f000001/kpr",
    "full-width digits": "https://１２７.０.０.１/kpr",
    "localhost": "https://localhost/kpr",
    "localhost, upper case, trailing dot": "https://LOCALHOST./kpr",
    "a .localhost name": "https://api.localhost/kpr",
    "a .local name": "https://printer.local/kpr",
    "an .internal name": "https://metadata.google.internal/computeMetadata/v1/",
    "backslash trick": "https://hooks.example.com\\@127.0.0.1/kpr",
    "no host": "https:///kpr",
    "not a url": "hooks.example.com/kpr",
    "too long": "https://hooks.example.com/" + "a" * 2100,
}


@pytest.mark.parametrize("url", list(REFUSED.values()), ids=list(REFUSED))
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, [])
    assert refused.value.message.render("en") != refused.value.message.code
    assert refused.value.message.render("zh-CN") != refused.value.message.render("en")


@pytest.mark.parametrize("url", list(REFUSED.values()), ids=list(REFUSED))
async def test_the_api_refuses_with_a_field_error_on_url(client: AsyncClient, tenant: Tenant, url: str) -> None:
    response = await client.post(WEBHOOKS, json={"url": url}, headers=tenant.headers("admin"))
    problem = assert_problem(response, 422, "VALIDATION_FAILED")
    [error] = problem["errors"]
    assert error["loc"] == ["body", "url"]
    assert "webhook_url" not in error["msg"]  # a message, not its catalogue key
    assert ok(await client.get(WEBHOOKS, headers=tenant.headers("admin")))["items"] == []


async def test_an_update_is_checked_too_and_explained_in_chinese(client: AsyncClient, tenant: Tenant) -> None:
    created = ok(
        await client.post(WEBHOOKS, json={"url": "https://hooks.example.com/kpr"}, headers=tenant.headers("admin")), 201
    )
    response = await client.patch(
        f"{WEBHOOKS}/{created['id']}",
        json={"url": "https://169.254.169.254/latest/meta-data/"},
        headers={**tenant.headers("admin"), "Accept-Language": "zh-CN"},
    )
    problem = assert_problem(response, 422, "VALIDATION_FAILED")
    assert problem["errors"][0]["loc"] == ["body", "url"]
    assert "非公网地址 169.254.169.254" in problem["errors"][0]["msg"]
    read = ok(await client.get(f"{WEBHOOKS}/{created['id']}", headers=tenant.headers("admin")))
    assert read["url"] == "https://hooks.example.com/kpr"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/kpr",
        "https://hooks.example.com:443/kpr?tenant=1",
        "https://8.8.8.8/kpr",
        "https://[2606:4700:4700::1111]/kpr",
        "https://例子.中国/钩子",
        "HTTPS://Hooks.Example.COM/kpr",
    ],
)
def test_check_url_accepts_public_https(url: str) -> None:
    check_url(url, [])


def test_the_allowlist_lets_http_private_addresses_and_ports_through() -> None:
    allowed = ["127.0.0.1", "Receiver.Internal", "[::1]"]
    check_url("http://127.0.0.1:8080/hook", allowed)
    check_url("https://127.0.0.1:8443/hook", allowed)
    check_url("http://receiver.internal:9000/hook", allowed)
    check_url("http://[0:0::1]:8080/hook", allowed)  # an IP literal matches by address
    # Exact hosts only: neither another address, a sub-domain, nor another scheme.
    for url in ("http://127.0.0.2:8080/hook", "http://x.receiver.internal/hook", "ftp://127.0.0.1/hook"):
        with pytest.raises(UnsafeUrl):
            check_url(url, allowed)
    # Credentials are never allowed.
    with pytest.raises(UnsafeUrl):
        check_url("http://user:pw@127.0.0.1:8080/hook", allowed)


async def test_the_api_honours_the_allowlist(client_for: AppClientFactory, settings: Settings, tenant: Tenant) -> None:
    local = settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1"]})
    async with client_for(local) as client:
        response = await client.post(
            WEBHOOKS, json={"url": "http://127.0.0.1:8080/hook"}, headers=tenant.headers("admin")
        )
        assert ok(response, 201)["url"] == "http://127.0.0.1:8080/hook"
        refused = await client.post(
            WEBHOOKS, json={"url": "http://10.0.0.1:8080/hook"}, headers=tenant.headers("admin")
        )
        assert_problem(refused, 422, "VALIDATION_FAILED")


def test_host_and_port() -> None:
    assert host_and_port("https://Hooks.Example.com/kpr") == ("hooks.example.com", 443)
    assert host_and_port("http://127.0.0.1:8080/x") == ("127.0.0.1", 8080)
    assert host_and_port("http://[::1]/x") == ("::1", 80)


# --- resolving ------------------------------------------------------------------------------------------------------


def _answering(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []

    async def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        calls.append((host, port))
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    return calls


async def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _answering(monkeypatch, "10.0.0.7")
    with pytest.raises(UnsafeAddress) as refused:
        await resolve_public("hooks.example.com", 443, [])
    assert calls == [("hooks.example.com", 443)]
    assert "10.0.0.7" in str(refused.value)
    assert isinstance(refused.value, UnsafeUrl)


async def test_one_private_answer_among_public_ones_is_enough_to_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    _answering(monkeypatch, "93.184.216.34", "169.254.169.254")
    with pytest.raises(UnsafeAddress):
        await resolve_public("hooks.example.com", 443, [])


async def test_a_name_resolving_to_a_mapped_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _answering(monkeypatch, "::ffff:127.0.0.1")
    with pytest.raises(UnsafeAddress):
        await resolve_public("hooks.example.com", 443, [])


async def test_public_answers_are_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    _answering(monkeypatch, "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34")
    addresses = await resolve_public("hooks.example.com", 443, [])
    assert addresses == ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]


async def test_an_allowed_host_may_resolve_to_a_private_address(monkeypatch: pytest.MonkeyPatch) -> None:
    _answering(monkeypatch, "10.0.0.7")
    assert await resolve_public("Receiver.Corp.Example", 8080, ["receiver.corp.example"]) == ["10.0.0.7"]


async def test_a_failed_resolution_is_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def getaddrinfo(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    with pytest.raises(ResolutionFailed) as failed:
        await resolve_public("nowhere.example.com", 443, [])
    assert not isinstance(failed.value, UnsafeUrl)
    assert "nowhere.example.com" in str(failed.value)
    assert "nowhere.example.com" in failed.value.message.render("zh-CN")
