"""Versioned static asset URLs: ``/static/css/app.css?v=<content hash>``, and how static files are sent.

The hash changes whenever the file does, so browsers and the service worker may keep an asset forever
(``immutable``, never revalidated) and still never serve a stale one after a deploy. Static files are compressed
once at build time (``make static-compress``: gzip -9 and brotli 11 next to each text file); a request that
accepts the encoding gets that file as it is, with no compression per request.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from functools import cache
from pathlib import Path

import brotli
import click
from flask import current_app, request, send_from_directory, url_for

ONE_YEAR = 365 * 24 * 3600
# What `make static-compress` writes next to a file, best first (the order a request is served in).
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
COMPRESSIBLE = (".css", ".js", ".mjs", ".svg", ".json", ".webmanifest", ".txt", ".html")


@cache
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@cache
def _stable_version(path: str) -> str:
    return _digest(path, Path(path).stat().st_mtime)


def asset_version(filename: str) -> str:
    path = Path(current_app.static_folder) / filename
    if current_app.debug:  # a developer edits files while the server runs: look at the file each time
        return _digest(str(path), path.stat().st_mtime)
    return _stable_version(str(path))  # deployed files change only with a new release, i.e. a new process


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=asset_version(filename))


def _precompressed(folder: Path, filename: str) -> tuple[str, str] | None:
    """The build-time compressed copy of ``filename`` this request accepts, if one exists and is not older."""
    if not filename.endswith(COMPRESSIBLE):
        return None
    source = folder / filename
    try:
        source_mtime = source.stat().st_mtime
    except OSError:
        return None
    for encoding, suffix in PRECOMPRESSED:
        if not request.accept_encodings[encoding]:
            continue
        candidate = source.with_name(source.name + suffix)
        try:
            if candidate.stat().st_mtime >= source_mtime:
                return encoding, filename + suffix
        except OSError:
            continue
    return None


def send_static(filename: str):
    """Flask's static view, serving the precompressed copy when there is one. Its ETag names the encoding, so a
    revalidation never confuses the br and the gzip copy."""
    folder = Path(current_app.static_folder)
    found = _precompressed(folder, filename)
    if found is None:
        response = current_app.send_static_file(filename)  # Flask-Compress compresses it (streamed) if it is text
    else:
        encoding, stored = found
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = send_from_directory(folder, stored, mimetype=mimetype, conditional=True, etag=True)
        if response.status_code in (200, 304):
            response.headers["Content-Encoding"] = encoding
            response.vary.add("Accept-Encoding")
    # send_file names the file in an "inline" Content-Disposition ("app.css.br" for a copy): the URL names it already.
    response.headers.pop("Content-Disposition", None)
    return response


def compress_folder(folder: Path) -> list[tuple[str, int, int, int]]:
    """Write ``name.gz`` (gzip -9) and ``name.br`` (brotli 11) next to every compressible file whose copies are
    missing or older; a copy not smaller than the file is not kept. Returns (file, raw, gzip, br) per file."""
    done = []
    for source in sorted(folder.rglob("*")):
        if not source.is_file() or not source.name.endswith(COMPRESSIBLE):
            continue
        data = source.read_bytes()
        sizes = []
        for suffix, compress in ((".gz", lambda d: gzip.compress(d, 9, mtime=0)), (".br", _brotli_best)):
            target = source.with_name(source.name + suffix)
            if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                packed = compress(data)
                if len(packed) >= len(data):
                    target.unlink(missing_ok=True)
                    sizes.append(len(data))
                    continue
                target.write_bytes(packed)
                os.utime(target, (source.stat().st_atime, max(source.stat().st_mtime, target.stat().st_mtime)))
            sizes.append(target.stat().st_size)
        done.append((str(source.relative_to(folder)), len(data), *sizes))
    return done


def _brotli_best(data: bytes) -> bytes:
    return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)


@click.command("static-compress")
def static_compress_command() -> None:
    """Compress the static text files once, at the best levels (gzip -9, brotli 11), next to each file."""
    for name, raw, gz, br in compress_folder(Path(current_app.static_folder)):
        click.echo(f"{name:<44}{raw:>9}{gz:>9}{br:>9}")


def init_app(app) -> None:
    app.jinja_env.globals["asset"] = asset_url
    app.view_functions["static"] = send_static
    app.cli.add_command(static_compress_command)

    @app.after_request
    def _long_cache_for_versioned_assets(response):
        if request.path.startswith("/static/") and request.args.get("v") and response.status_code == 200:
            # The URL changes with the content: keep it a year and never revalidate (no `no-cache`, which Flask's
            # static view sets and which would make every uncontrolled load ask again).
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
