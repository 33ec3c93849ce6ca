"""CSRF tokens masked afresh for every response, so a compressed page never repeats a secret (BREACH).

BREACH reads a secret out of a compressed response by sending requests whose reflected input makes the
response shrink when a guess matches the secret. It needs the same secret in many responses. Every page of
the portal carries the CSRF token (the logout form at least) and many reflect a search or a filter, so each
occurrence of the token in a response body is replaced by `mask(token)`: a random pad of the token's length
followed by the token XOR the pad, base64url, behind MARK. No two responses (nor two forms of one page)
carry the same text, and the check unmasks what comes back before Flask-WTF verifies it.
Pure: no Flask here.
"""

from __future__ import annotations

import base64
import binascii
import secrets

MARK = "m1."  # a Flask-WTF token is base64url of a JSON string: it never starts so


def mask(token: str) -> str:
    """The token as a response carries it: pad + (token XOR pad), base64url, behind MARK."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    xored = (int.from_bytes(pad, "big") ^ int.from_bytes(raw, "big")).to_bytes(len(raw), "big")
    return MARK + base64.urlsafe_b64encode(pad + xored).decode().rstrip("=")


def unmask(value: str | None) -> str | None:
    """The token inside a masked value; anything else is returned as it came (and fails the check if bad)."""
    if not value or not value.startswith(MARK):
        return value
    body = value[len(MARK):]
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return value
    half = len(data) // 2
    if not half or len(data) != 2 * half:
        return value
    raw = (int.from_bytes(data[:half], "big") ^ int.from_bytes(data[half:], "big")).to_bytes(half, "big")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return value


def mask_each(body: bytes, token: str) -> bytes | None:
    """`body` with every occurrence of `token` masked afresh; None when the token is not in it."""
    needle = token.encode()
    if needle not in body:
        return None
    parts = body.split(needle)
    out = [parts[0]]
    for part in parts[1:]:
        out.append(mask(token).encode())
        out.append(part)
    return b"".join(out)
