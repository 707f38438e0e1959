"""The camera's files: when each photo was taken, from its EXIF, with a clear word for every file that
cannot say (not a photo, unreadable, no EXIF time).

JPEGs carry ``DateTimeOriginal`` and often ``SubSecTimeOriginal`` (the sub-seconds tell retakes a second
apart in order). Raw files are read by Pillow where it can (TIFF-based ones such as DNG); otherwise, like
a JPEG without EXIF, the file's modification time stands in, which a camera's card usually keeps but a
copy may not: those files are named in a finding so staff know their times are weaker.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import Finding, Photo

log = logging.getLogger(__name__)

JPEG = frozenset({".jpg", ".jpeg", ".jpe"})
RAW = frozenset({".cr2", ".cr3", ".nef", ".nrw", ".arw", ".dng", ".orf", ".rw2", ".raf", ".pef", ".srw", ".tif",
                 ".tiff", ".heic"})
# Files cameras and copy tools leave beside the photos: not worth a finding.
SIDECARS = frozenset({".xmp", ".thm", ".ctg", ".ind", ".db", ".ds_store"})

EXIF_IFD = 0x8769
DATETIME = 0x0132
DATETIME_ORIGINAL = 36867
SUBSEC_ORIGINAL = 37521


def parse_exif_time(text: object, subsec: object = None) -> dt.datetime | None:
    """'YYYY:MM:DD HH:MM:SS' (+ sub-seconds digits) as a datetime; None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        taken = dt.datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    digits = "".join(c for c in str(subsec or "") if c.isdigit())
    if digits:
        taken += dt.timedelta(seconds=float("0." + digits))
    return taken


def exif_time(path: Path) -> dt.datetime | None:
    """The photo's EXIF time; None when it has none. Raises OSError/ValueError for unreadable files."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings(), Image.open(path) as img:
        warnings.simplefilter("ignore")  # "Corrupt EXIF data": the time is then missing, which we report
        exif = img.getexif()
        sub = exif.get_ifd(EXIF_IFD)
        taken = parse_exif_time(sub.get(DATETIME_ORIGINAL), sub.get(SUBSEC_ORIGINAL))
        return taken or parse_exif_time(exif.get(DATETIME))


def read_folder(folder: str | Path) -> tuple[list[Photo], list[Finding]]:
    """Every photo under ``folder`` (its subfolders too: cameras write DCIM/100CANON, DCIM/101MSDCF) and the findings
    about files that are not usable photos. Never raises for a bad file, only for a bad folder."""
    root = Path(folder)
    if not root.is_dir():
        raise ReconcileError(f"{root}: no such photo folder / 照片文件夹不存在")
    photos: list[Photo] = []
    foreign: list[str] = []
    unreadable: list[str] = []
    no_time: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        ext = path.suffix.lower()
        if path.name.startswith(".") or ext in SIDECARS:
            continue
        if ext not in JPEG and ext not in RAW:
            foreign.append(rel)
            continue
        try:
            taken = exif_time(path)
        except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken or foreign file
            if ext in JPEG:
                log.info("%s: unreadable: %s", rel, exc)
                unreadable.append(rel)
                continue
            taken = None  # a raw format Pillow cannot open: its file time will do
        if taken is None:
            try:
                taken = dt.datetime.fromtimestamp(os.stat(path).st_mtime)
            except OSError:
                unreadable.append(rel)
                continue
            no_time.append(rel)
            photos.append(Photo(rel, taken, "file time"))
        else:
            photos.append(Photo(rel, taken, "exif"))
    return photos, _file_findings(foreign, unreadable, no_time)


def _file_findings(foreign: list[str], unreadable: list[str], no_time: list[str]) -> list[Finding]:
    out = []
    if foreign:
        out.append(Finding("not_photo", None, tuple(foreign),
                           f"{len(foreign)} 个文件不是照片，已跳过 / {len(foreign)} file(s) are not photos: skipped"))
    if unreadable:
        out.append(Finding("unreadable", None, tuple(unreadable),
                           f"{len(unreadable)} 张照片无法读取（损坏或不完整），已跳过 / {len(unreadable)} photo(s) "
                           "cannot be read (damaged or incomplete): skipped"))
    if no_time:
        out.append(Finding("no_exif", None, tuple(no_time),
                           f"{len(no_time)} 张照片没有拍摄时间（EXIF），按文件时间对齐 / {len(no_time)} photo(s) have "
                           "no EXIF time: aligned by their file time"))
    return out


def write_jpeg(path: str | Path, taken: dt.datetime, *, size: tuple[int, int] = (96, 64),
               colour: tuple[int, int, int] = (200, 200, 220)) -> Path:
    """A small JPEG with its EXIF time, as a camera writes it (for the demo and the tests)."""
    from PIL import Image

    path = Path(path)
    exif = Image.Exif()
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[DATETIME] = stamp
    sub = exif.get_ifd(EXIF_IFD)
    sub[DATETIME_ORIGINAL] = stamp
    sub[SUBSEC_ORIGINAL] = f"{taken.microsecond // 10000:02d}"
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", exif=exif, quality=70)
    return path
