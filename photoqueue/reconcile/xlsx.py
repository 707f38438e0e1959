"""The photo agency's workbook: per number its photo files in shooting order, with the collection code where
the station has it and a remark wherever photos and numbers disagree; and the findings on a sheet of their
own. Chinese headers, as the agency reads them. openpyxl is imported inside the function."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import Reconciliation

PHOTO_SHEET = "照片对照"
FINDINGS_SHEET = "核对发现"
PHOTO_HEADERS = ("拍摄号", "采集码", "照片文件", "照片数", "可信度", "备注")
FINDING_HEADERS = ("类型", "拍摄号", "照片文件", "说明")

KIND_ZH = {
    "missing_press": "少按一次键", "extra_press": "多按一次键", "empty_press": "按键无照片",
    "two_students": "疑似两人", "photos_for_skipped": "过号/作废却有照片", "long_gap": "长时间无照片",
    "before_first_call": "首次叫号前的照片", "after_last_call": "最后按键后的照片", "no_call": "无人叫号时的照片",
    "other_day": "非当天照片", "not_photo": "非照片文件", "unreadable": "无法读取", "no_exif": "无拍摄时间",
    "no_photos": "没有照片", "not_covered": "文件夹未覆盖",
    "few_photos": "照片太少", "shifted": "照片与屏幕号错开（已按排队顺序归位）",
}


def rows(rec: Reconciliation, codes: Mapping[int, str]) -> list[tuple]:
    """One row per number (every issued number, in order), then one per photo that has no number."""
    by_number = rec.by_number()
    notes: dict[int | None, list[str]] = {}
    for f in rec.findings:
        if f.kind == "shifted" and f.number is not None and f.last is not None:
            where = "下一号" if f.shift < 0 else "前一号"
            for number in range(f.number, f.last + 1):  # each student of the stretch, on their own row
                notes.setdefault(number, []).append(f"照片拍于屏幕显示{where}时，已归本人")
            continue
        notes.setdefault(f.number, []).append(f.message.split(" / ")[0])
    out = []
    for number in sorted(set(codes) | set(by_number) | {n for n in notes if n is not None}):
        photos = by_number.get(number, [])
        conf = min((p.confidence for p in photos), default=None)
        out.append((number, codes.get(number, ""), "、".join(p.file for p in photos), len(photos),
                    "" if conf is None else conf, "；".join(notes.get(number, []))))
    unassigned = [p for p in rec.photos if p.number is None]
    for p in unassigned:
        out.append(("", "", p.file, 1, "", "未对应拍摄号"))
    return out


def write_xlsx(rec: Reconciliation, out_path: str | Path, codes: Mapping[int, str] | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = f"{PHOTO_SHEET} {rec.room}"[:31]
    ws.append([f"拍摄组 {rec.room}　日期 {rec.date}　相机时钟偏差 {_offset(rec)}"])
    ws.append(list(PHOTO_HEADERS))
    for r in rows(rec, codes or {}):
        ws.append(list(r))
    fs = wb.create_sheet(FINDINGS_SHEET)
    fs.append(list(FINDING_HEADERS))
    for f in rec.findings:
        fs.append([KIND_ZH.get(f.kind, f.kind), "" if f.number is None else f.number, "、".join(f.files[:50]),
                   f.message])
    for sheet, header_row in ((ws, 2), (fs, 1)):
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for col, width in zip("ABCDEF", (8, 36, 40, 8, 8, 60), strict=True):
        ws.column_dimensions[col].width = width
    for col, width in zip("ABCD", (16, 8, 40, 80), strict=True):
        fs.column_dimensions[col].width = width
    out = Path(out_path)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(tmp)
        tmp.replace(out)  # a reader never sees half a workbook
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReconcileError(f"{out}: cannot write the workbook: {exc} / 无法写入文件") from None
    return out


def _offset(rec: Reconciliation) -> str:
    if rec.camera_offset_s is None:
        return "未知"
    s = rec.camera_offset_s
    return f"{'慢' if s > 0 else '快'} {abs(s):.0f} 秒"
