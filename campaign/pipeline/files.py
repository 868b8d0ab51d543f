"""Private files (evidence, meeting minutes, objections' attachments): what is accepted, where
they are kept, and how they are sent back.

A file's type is read from its content, never from its name: PDF by its header, JPEG/PNG by
their signature and a full decode with Pillow, legacy Word/Excel by the streams of their OLE2
compound file, and .docx/.xlsx by the parts inside the zip. Files live under
``settings.EVIDENCE_DIR``, outside every URL the web server serves; they leave only through a
view that has checked the viewer's rights, streamed by Django or handed to the web server
(``X-Accel-Redirect`` / ``X-Sendfile``) as ``settings.EVIDENCE_SERVE`` says.
"""

import hashlib
import logging
import struct
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from campaign.pipeline.models import Submission
from campaign.pipeline.workflow import ActionRefused

__all__ = [
    "KINDS",
    "Candidate",
    "StoredFiles",
    "Uploads",
    "inspect_uploads",
    "sniff",
]

logger = logging.getLogger(__name__)

# What the action functions take: uploaded files, or any Django Files (tests, commands).
Uploads = Sequence[File]

THUMBNAIL_PIXELS = 240
# Office files are zip archives; a small file that unpacks to far more than this is hostile.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_NAME_LENGTH = 200
_CHUNK = 64 * 1024

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    content_type: str
    extensions: tuple[str, ...]
    # Shown in the browser (a new tab) rather than saved; Office files are always downloaded.
    inline: bool = False
    image: bool = False


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("pdf", gettext_lazy("PDF"), "application/pdf", ("pdf",), inline=True),
        Kind(
            "jpg",
            gettext_lazy("JPG 图片"),
            "image/jpeg",
            ("jpg", "jpeg"),
            inline=True,
            image=True,
        ),
        Kind("png", gettext_lazy("PNG 图片"), "image/png", ("png",), inline=True, image=True),
        Kind("doc", gettext_lazy("Word 文档"), "application/msword", ("doc",)),
        Kind(
            "docx",
            gettext_lazy("Word 文档"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        Kind("xls", gettext_lazy("Excel 表格"), "application/vnd.ms-excel", ("xls",)),
        Kind(
            "xlsx",
            gettext_lazy("Excel 表格"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
    )
}
# For the file picker: a hint only, the content decides.
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for kind in KINDS.values() for ext in kind.extensions)


def accepted_types_text() -> str:
    return _("PDF、JPG/PNG 图片、Word（.doc/.docx）、Excel（.xls/.xlsx）")


class _Refused(Exception):
    """Raised inside the checks; turned into an ActionRefused naming the file."""


# -- inspecting uploads ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An upload that passed every check, ready to be stored."""

    name: str
    kind: str
    size: int
    sha256: str
    source: File
    thumbnail: bytes | None


def inspect_uploads(files: Sequence[File]) -> list[Candidate]:
    """Check every file; refuse the whole batch, naming the first bad file, if one fails."""
    if not files:
        raise ActionRefused(_("请选择要上传的文件。"))
    candidates = []
    for upload in files:
        name = clean_name(upload.name or "")
        try:
            candidates.append(_inspect(upload, name))
        except _Refused as exc:
            message = str(exc)
            if len(files) > 1:
                message += _("本次选择的%(n)d个文件均未上传，请去掉这个文件后重新上传。") % {
                    "n": len(files)
                }
            raise ActionRefused(message) from exc
    return candidates


def _inspect(upload: File, name: str) -> Candidate:
    size = upload.size
    if not size:
        raise _Refused(_("“%(name)s”是空文件。") % {"name": name})
    limit = settings.EVIDENCE_MAX_FILE_BYTES
    if size > limit:
        raise _Refused(
            _("“%(name)s”过大（%(size)s），单个文件不能超过 %(limit)s。")
            % {"name": name, "size": megabytes(size), "limit": megabytes(limit)}
        )
    stream: IO[bytes] = upload.file if upload.file is not None else upload
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    kind = sniff(stream, name)
    thumbnail = _check_image(stream, name, kind) if KINDS[kind].image else None
    stream.seek(0)
    return Candidate(name, kind, size, digest.hexdigest(), upload, thumbnail)


def sniff(stream: IO[bytes], name: str = "") -> str:
    """The file's real type (a key of KINDS), from its content; _Refused if not accepted."""
    stream.seek(0)
    head = stream.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_JPEG_MAGIC):
        return "jpg"
    if head.startswith(_PNG_MAGIC):
        return "png"
    if head.startswith(_OLE2_MAGIC):
        return _sniff_ole2(stream, name)
    if head.startswith(_ZIP_MAGIC):
        return _sniff_ooxml(stream, name)
    if head.startswith((b"MZ", b"\x7fELF")):
        raise _Refused(_("“%(name)s”是可执行程序，不予接收。") % {"name": name})
    raise _not_accepted(name)


def _not_accepted(name: str) -> _Refused:
    return _Refused(
        _("“%(name)s”不是可接受的文件类型。只接受%(types)s；系统按文件内容判断类型，改扩展名无效。")
        % {"name": name, "types": accepted_types_text()}
    )


def _damaged(name: str) -> _Refused:
    return _Refused(
        _("“%(name)s”已损坏或不完整，无法打开。请在本机确认能正常打开后重新上传。") % {"name": name}
    )


def _sniff_ooxml(stream: IO[bytes], name: str) -> str:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise _Refused(_("“%(name)s”内部结构异常，拒绝处理。") % {"name": name})
            parts = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in parts:
                raise _not_accepted(name)
            if "word/document.xml" in parts:
                kind = "docx"
            elif "xl/workbook.xml" in parts:
                kind = "xlsx"
            else:
                raise _not_accepted(name)
            if any(part.lower().endswith("vbaproject.bin") for part in parts):
                raise _Refused(
                    _("“%(name)s”含有宏，不予接收。请另存为普通的 .docx 或 .xlsx 文件后再上传。")
                    % {"name": name}
                )
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
                raise _Refused(_("“%(name)s”解压后过大，拒绝处理。") % {"name": name})
            # Reads every part and checks its checksum: a truncated or altered file fails here.
            if archive.testzip() is not None:
                raise _damaged(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise _damaged(name) from exc
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted part
        raise _damaged(name) from exc
    return kind


# OLE2 compound files (legacy .doc/.xls): the directory names the streams inside.
_OLE_FREE_LIMIT = 0xFFFFFFFA  # sector numbers at or above this are markers, not sectors
_OLE_MAX_SECTORS = 100_000


def _sniff_ole2(stream: IO[bytes], name: str) -> str:
    try:
        streams = ole2_root_streams(stream)
    except (ValueError, struct.error, OSError) as exc:
        raise _damaged(name) from exc
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "EncryptedPackage" in streams:
        raise _Refused(
            _("“%(name)s”设有打开密码，审核人员无法打开。请去除密码后重新上传。") % {"name": name}
        )
    raise _not_accepted(name)


def ole2_root_streams(stream: IO[bytes]) -> set[str]:
    """The names of the streams at the top level of an OLE2 compound file (MS-CFB)."""
    stream.seek(0)
    header = stream.read(512)
    if len(header) < 512 or not header.startswith(_OLE2_MAGIC):
        raise ValueError("not a compound file")
    sector_shift = struct.unpack_from("<H", header, 30)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    sector_size = 1 << sector_shift
    fat_count, first_directory = struct.unpack_from("<II", header, 44)
    first_difat, difat_count = struct.unpack_from("<II", header, 68)

    def read_sector(number: int) -> bytes:
        stream.seek((number + 1) * sector_size)
        data = stream.read(sector_size)
        if len(data) < sector_size:
            raise ValueError("truncated compound file")
        return data

    def numbers(data: bytes) -> tuple[int, ...]:
        return struct.unpack(f"<{len(data) // 4}I", data)

    fat_sectors = [n for n in numbers(header[76:512]) if n < _OLE_FREE_LIMIT]
    sector = first_difat
    for _step in range(min(difat_count, _OLE_MAX_SECTORS)):
        if sector >= _OLE_FREE_LIMIT:
            break
        entries = numbers(read_sector(sector))
        fat_sectors += [n for n in entries[:-1] if n < _OLE_FREE_LIMIT]
        sector = entries[-1]
    fat: list[int] = []
    for number in fat_sectors[: min(fat_count, _OLE_MAX_SECTORS)]:
        fat.extend(numbers(read_sector(number)))

    directory = b""
    sector, seen = first_directory, set[int]()
    while sector < _OLE_FREE_LIMIT:
        if sector in seen or len(seen) >= _OLE_MAX_SECTORS or sector >= len(fat):
            raise ValueError("broken directory chain")
        seen.add(sector)
        directory += read_sector(sector)
        sector = fat[sector]
    count = len(directory) // 128
    if count == 0:
        raise ValueError("empty directory")

    def entry(number: int) -> tuple[str, int, int, int, int]:
        raw = directory[number * 128 : (number + 1) * 128]
        name_length = struct.unpack_from("<H", raw, 64)[0]
        name = raw[: max(0, min(name_length, 64) - 2)].decode("utf-16-le", "replace")
        left, right, child = struct.unpack_from("<III", raw, 68)
        return name, raw[66], left, right, child

    # The root's children form a red-black tree: walk it through the left/right siblings.
    names: set[str] = set()
    pending, visited = [entry(0)[4]], set()
    while pending:
        number = pending.pop()
        if number >= count or number in visited:
            continue
        visited.add(number)
        name, object_type, left, right, _child = entry(number)
        if object_type == 2:  # a stream (1 is a storage)
            names.add(name)
        pending += [left, right]
    return names


def _check_image(stream: IO[bytes], name: str, kind: str) -> bytes | None:
    """Decode the whole picture (a renamed or truncated file fails) and return a thumbnail."""
    formats = ["JPEG", "MPO"] if kind == "jpg" else ["PNG"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            stream.seek(0)
            with Image.open(stream, formats=formats) as image:
                image.verify()
            stream.seek(0)
            with Image.open(stream, formats=formats) as image:
                image.draft("RGB", (THUMBNAIL_PIXELS * 2, THUMBNAIL_PIXELS * 2))
                image.load()
                return _thumbnail(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _Refused(_("“%(name)s”图片像素过多，请缩小后再上传。") % {"name": name}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
        raise _Refused(_("“%(name)s”图片已损坏或不完整，无法打开。") % {"name": name}) from exc


def _thumbnail(image: Image.Image) -> bytes | None:
    try:
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        if picture.mode != "RGB":
            rgba = picture.convert("RGBA")
            picture = Image.new("RGB", rgba.size, "white")
            picture.paste(rgba, mask=rgba.getchannel("A"))
        out = BytesIO()
        picture.save(out, "JPEG", quality=80, optimize=True)
    except (OSError, ValueError) as exc:
        # The picture itself decoded; an unusual colour mode only costs the preview.
        logger.warning("no thumbnail for an evidence image: %s", exc)
        return None
    return out.getvalue()


def clean_name(name: str) -> str:
    """The uploaded file's own name: no folders, no control characters, not too long."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(suffix) - 1] + "." + suffix
        else:
            name = name[:MAX_NAME_LENGTH]
    return name or _("未命名文件")


def megabytes(size: int) -> str:
    """20 MB, 12.5 MB; 800 KB below one megabyte."""
    if size < 1048576:
        return f"{max(1, round(size / 1024))} KB"
    return f"{round(size / 1048576, 1):g} MB"


# -- storage --------------------------------------------------------------------------------


def storage() -> FileSystemStorage:
    """The private evidence directory; it has no URL."""
    return FileSystemStorage(location=settings.EVIDENCE_DIR, base_url=None)


class StoredFiles:
    """Writes a transaction's files and removes them again if the transaction fails.

    Use it outside ``transaction.atomic()`` in one ``with`` statement, so it sees the
    exception of a failed commit as well::

        with StoredFiles() as written, transaction.atomic():
            ...
    """

    def __init__(self) -> None:
        self.storage = storage()
        self.names: list[str] = []

    def __enter__(self) -> "StoredFiles":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.discard()

    def store(self, submission: Submission, candidate: Candidate) -> tuple[str, str]:
        """Write the file (and its thumbnail); return their names relative to the root."""
        return self.store_in(f"{submission.campaign.year}/{submission.pk}", candidate)

    def store_in(self, folder: str, candidate: Candidate) -> tuple[str, str]:
        """Write the file (and its thumbnail) into a folder of the private directory, e.g.
        "2020/minutes"; return their names relative to the root."""
        stored = self._save(f"{folder}/{candidate.sha256}.{candidate.kind}", candidate.source)
        thumbnail = ""
        if candidate.thumbnail is not None:
            thumbnail = self._save(
                f"{folder}/{candidate.sha256}.thumb.jpg", ContentFile(candidate.thumbnail)
            )
        return stored, thumbnail

    def _save(self, wanted: str, content: File) -> str:
        name = self.storage.get_available_name(wanted)
        self.names.append(name)
        # Wrapping the stream copies it: a temporary upload is never moved out from under
        # the request.
        stream: Any = content.file if content.file is not None else content
        saved = self.storage.save(name, File(stream))
        if saved != name:
            self.names.append(saved)
        return saved

    def discard(self) -> None:
        root = Path(self.storage.location)
        for name in self.names:
            try:
                self.storage.delete(name)
            except OSError:
                logger.exception("could not remove evidence file %s", name)
            # Leave no empty folders behind either (only ours, never the root).
            folder = Path(self.storage.path(name)).parent
            while folder != root and root in folder.parents:
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent
        self.names = []


# -- serving --------------------------------------------------------------------------------


def attachment_response(
    stored_name: str, kind_code: str, name: str, *, ascii_stem: str = "file"
) -> HttpResponseBase:
    """Any checked file in the private directory (evidence, minutes, an objection's file),
    after the caller has checked the viewer's right to it."""
    kind = KINDS[kind_code]
    response = send_private_file(stored_name, kind.content_type)
    disposition = "inline" if kind.inline else "attachment"
    # An ASCII fallback for old clients, the real (Chinese) name RFC 5987-encoded.
    response["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_stem}.{kind.extensions[0]}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Cache-Control"] = "private, no-cache"
    return response


def send_private_file(name: str, content_type: str) -> HttpResponseBase:
    files = storage()
    response: HttpResponseBase
    if settings.EVIDENCE_SERVE == "x-accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.EVIDENCE_ACCEL_PREFIX + quote(name)
    elif settings.EVIDENCE_SERVE == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = files.path(name)
    else:
        try:
            handle = files.open(name, "rb")
        except FileNotFoundError as exc:
            logger.error("evidence file missing from %s: %s", files.location, name)
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
