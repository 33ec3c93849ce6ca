"""Compressed text responses (Flask-Compress: zstd, br, gzip) that cannot leak the CSRF token (BREACH).

One after-request hook decides per response:
- a body that carries this request's CSRF token gets each occurrence masked afresh (core.csrf_mask), then is
  compressed; a streamed body that might carry it cannot be rewritten, so it goes out uncompressed;
- any other text response built in memory (pages, JSON) is compressed when the client asks and it is worth
  it (COMPRESS_MIN_SIZE); downloads (Excel, PDF, ZIP) are never compressed again, and files streamed from
  disk (static CSS and JavaScript, which browsers cache; the reverse proxy may compress them) are left alone:
  Flask-Compress's streaming path would leave the file unclosed.
The choice (mask rather than leave pages uncompressed) keeps every page small on a village's slow line: the
month grid is 370 KB of HTML and 12–22 KB compressed.
"""

from __future__ import annotations

from flask import Flask, current_app, g

from portal.core.csrf_mask import mask_each, unmask
from portal.extensions import compress, csrf

MIMETYPES = ["text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
             "application/json", "image/svg+xml"]


def _token() -> str | None:
    return g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def compress_safely(response):
    """Mask the CSRF token in the body (or keep a body that may carry it uncompressed), then compress."""
    token = _token()
    if token:
        if response.is_streamed or response.direct_passthrough:
            return response  # cannot be rewritten: not compressed either
        masked = mask_each(response.get_data(), token)
        if masked is not None:
            response.set_data(masked)
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # compress_safely calls it, after masking
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)  # files sent as they are read (static, downloads): see above
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    compress.init_app(app)
    csrf.unmask = unmask  # the check reads the token as the masked pages carry it
    app.after_request(compress_safely)
