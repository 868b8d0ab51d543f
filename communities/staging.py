"""Uploaded spreadsheets wait here between the preview and the confirmation.

A staged file belongs to the user who uploaded it (their id is part of the name) and is found
only by an unguessable token, so nobody can confirm another person's upload.
"""

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from campaign.kernel.users import Actor
from communities.sheets import SheetError

STAGED_LIFETIME_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class StagedFile:
    token: str
    filename: str
    sha256: str
    data: bytes


def _directory() -> Path:
    directory = Path(settings.IMPORT_STAGING_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _path(kind: str, user: Actor, token: str) -> Path:
    return _directory() / f"{kind}-{user.pk}-{token}"


def read_upload(upload: UploadedFile) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise SheetError(
            _("文件过大（%(size).1f MB），上限为 %(limit)d MB。")
            % {"size": upload.size / 1048576, "limit": limit // 1048576}
        )
    return upload.read()


def stage(kind: str, user: Actor, filename: str, data: bytes) -> StagedFile:
    _remove_expired()
    token = secrets.token_urlsafe(24)
    digest = hashlib.sha256(data).hexdigest()
    path = _path(kind, user, token)
    path.with_suffix(".xlsx").write_bytes(data)
    path.with_suffix(".json").write_text(json.dumps({"filename": filename, "sha256": digest}))
    return StagedFile(token, filename, digest, data)


def load(kind: str, user: Actor, token: str) -> StagedFile | None:
    if not _TOKEN.match(token or ""):
        return None
    path = _path(kind, user, token)
    try:
        meta = json.loads(path.with_suffix(".json").read_text())
        data = path.with_suffix(".xlsx").read_bytes()
    except (OSError, ValueError):
        return None
    return StagedFile(token, meta["filename"], meta["sha256"], data)


def discard(kind: str, user: Actor, token: str) -> None:
    if not _TOKEN.match(token or ""):
        return
    path = _path(kind, user, token)
    for suffix in (".xlsx", ".json"):
        path.with_suffix(suffix).unlink(missing_ok=True)


def _remove_expired() -> None:
    cutoff = time.time() - STAGED_LIFETIME_SECONDS
    for entry in _directory().iterdir():
        if entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
