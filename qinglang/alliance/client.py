"""The member's HTTP client of the hub (httpx); counts the bytes it sends and receives."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import httpx

from qinglang.alliance.hub import Contribution
from qinglang.errors import QinglangError

OCTETS = {"Content-Type": "application/octet-stream"}


class HubError(QinglangError):
    """The hub refused or could not be reached; the message is the hub's own."""

    def __init__(self, message: str, status: int = 502, code: str = "hub"):
        super().__init__(message)
        self.http_status = status
        self.code = code


@dataclass
class Traffic:
    sent: int = 0
    received: int = 0


class HubClient:
    def __init__(self, url: str, token: str | None, timeout: float = 600.0,
                 transport: httpx.BaseTransport | None = None):
        if not url:
            raise QinglangError("the hub's address is missing: set QINGLANG_ALLIANCE_HUB")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout,
                                  transport=transport)
        self.traffic = Traffic()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        request = self._http.build_request(method, path, **kwargs)
        self.traffic.sent += len(request.content or b"")
        try:
            response = self._http.send(request)
        except httpx.HTTPError as error:
            raise HubError(f"the hub cannot be reached ({type(error).__name__})") from None
        self.traffic.received += len(response.content)
        if response.status_code >= 400:
            try:
                body = response.json()
                raise HubError(body["error"], response.status_code, body.get("code", "hub"))
            except (ValueError, KeyError, TypeError):
                raise HubError(f"the hub answered {response.status_code}",
                               response.status_code) from None
        return response

    # -- member calls ------------------------------------------------------------------------

    def policy(self) -> dict:
        return self._call("GET", "/v1/policy").json()

    def evaluate(self, blinded: bytes) -> tuple[int, bytes]:
        response = self._call("POST", "/v1/evaluate", content=blinded, headers=OCTETS)
        return int(response.headers["X-Key-Epoch"]), response.content

    def contribute(self, epoch: int, items: list[Contribution]) -> int:
        body = {"epoch": epoch, "points": _b64(b"".join(i.point for i in items)),
                "items": [{"category": i.category, "confidence": i.confidence,
                           "first_seen": i.first_seen.isoformat(),
                           "last_seen": i.last_seen.isoformat(),
                           "expires_at": i.expires_at.isoformat()} for i in items]}
        return self._call("POST", "/v1/contributions", json=body).json()["stored"]

    def withdraw(self, epoch: int | None, points: list[bytes] | None) -> int:
        body = ({"all": True} if points is None
                else {"epoch": epoch, "points": _b64(b"".join(points))})
        return self._call("POST", "/v1/withdrawals", json=body).json()["withdrawn"]

    def pool(self, etag: str | None) -> tuple[str, bytes | None]:
        """The pool bundle, or None when the one tagged `etag` is still current."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._call("GET", "/v1/pool", headers=headers)
        return response.headers["ETag"], None if response.status_code == 304 else response.content

    # -- administrator calls -----------------------------------------------------------------

    def register(self, name: str, quota: int | None) -> str:
        return self._call("POST", "/v1/members", json={"name": name, "quota": quota}).json()["token"]

    def rotate_key(self) -> int:
        return self._call("POST", "/v1/admin/rotate-key").json()["epoch"]

    def audit(self) -> list[dict]:
        return self._call("GET", "/v1/admin/audit").json()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
