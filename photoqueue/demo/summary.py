"""The demo day's summary as printed at its end, in the glossary's words: per room and class 应拍 / 已取号 /
已拍 / 过号 / 作废 / 未到, the day's figures, the photo check, a swapped Pi, the files written and the
dashboard's login."""

from __future__ import annotations

from pathlib import Path

from photoqueue.demo.room_swap import summary_line

# The demo central's staff account, printed with its URL: a demo, not a secret.
DEMO_STAFF = ("demo", "demo-password")


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal: CJK characters take two columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def _photo_lines(photos: dict | None) -> list[str]:
    """The camera's folder against the numbers (photoqueue reconcile), for one room."""
    if not photos:
        return []
    if photos.get("error"):
        return [f"  照片 {photos['photos']} 张（{photos['folder']}）：未能对照（{photos['error']}）"]
    lines = [f"  照片 {photos['photos']} 张（{photos['folder']}）；相机时钟与工作站相差 "
             f"{photos.get('camera_offset_s') or 0:+.0f} 秒（设定 {photos['camera_set_s']:+.0f} 秒）"]
    found = photos.get("findings") or []
    lines.append("  照片对照：" + ("照片与号码一一对应" if not found else f"{len(found)} 处需核对"))
    lines += [f"    {f['number'] if f['number'] is not None else '-':>5}  {f['message']}" for f in found]
    return lines


# the summary's columns: the glossary's words (docs/glossary.md); at the end of the day every class is over,
# so 未取号 is 未到 (absent: a make-up case)
SUMMARY_COLUMNS = (("expected", "应拍"), ("issued", "已取号"), ("photographed", "已拍"), ("skipped", "过号"),
                   ("voided", "作废"), ("not_seen", "未到"))


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _rjust(text: str, width: int) -> str:
    return " " * max(width - _width(text), 0) + text


def format_summary(summary: dict) -> str:
    lines = [f"photoqueue 模拟拍摄日 — {summary['date']}", ""]
    widths = [max(_width(zh), 6) for _, zh in SUMMARY_COLUMNS]
    header = f"{_pad('拍摄组', 8)} {_pad('班级', 34)} " + " ".join(_rjust(zh, w) for (_, zh), w in
                                                                   zip(SUMMARY_COLUMNS, widths, strict=True))
    for room in summary["rooms"]:
        lines.append(header)
        totals = [0] * len(SUMMARY_COLUMNS)
        for c in room["classes"]:
            row = [int(c.get(k) or 0) for k, _ in SUMMARY_COLUMNS]
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            lines.append(_summary_row(room["room"], str(c["class"] or "（未分班）"), row, widths))
        lines.append(_summary_row(room["room"], "合计", totals, widths))
        st = room["stats"]
        lines.append(f"  共发号 {room['tickets']} 张（1–{room['tickets']} 号，"
                     f"{'连续无缺号' if room['numbers_contiguous'] else '有缺号！'}）；补打 {st['reprints']}，"
                     f"拒收外来码 {st['refused']}，迟到更正班级 {st['corrections']}，撤销 {st['undos']}，"
                     f"过号 {st['skips']}，召回 {st['recalls']}，排队最多 {st.get('max_waiting', 0)} 人"
                     + (f"；续跑：{st['rescans_kept_number']} 人重扫仍是原号" if room["resumed"] else ""))
        if room.get("outbox_drained") is not None:
            lines.append(f"  上传中心：{'已全部上传' if room['outbox_drained'] else '尚未全部上传！'}")
        lines += _photo_lines(room.get("photos"))
        swapped = summary_line(room)
        if swapped:
            lines.append(swapped)
        lines.append("")
    lines.append("写出的文件：")
    for room in summary["rooms"]:
        lines.append(f"  {room['database']}")
        if room.get("swap"):
            lines.append(f"  {room['swap']['old_database']}  （坏掉的工作站的数据）")
        lines.append(f"  {room['tickets_dir']}/{room['room']}-*.png  （小票，按拍摄组和拍摄号命名）")
        lines += [f"  {p}" for p in room["snapshots"]]
    lines.append(f"  {summary['data_dir']}/summary.json")
    for name in ("dashboard.png", "dashboard-phone.png", "status-phone.png"):
        picture = Path(summary["data_dir"]) / "snapshots" / name
        if picture.exists():
            lines.append(f"  {picture}")
    if summary.get("central_url"):
        login = summary.get("login") or DEMO_STAFF
        lines += ["", f"中心看板：{summary['central_url']}/  登录：{login[0]} / {login[1]}",
                  f"公开页（学生用）：{summary['central_url']}/status",
                  f"中心数据：{summary['data_dir']}/central.db"]
    return "\n".join(lines)


def _summary_row(room: str, name: str, values: list[int], widths: list[int]) -> str:
    return f"{_pad(room, 8)} {_pad(name, 34)} " + " ".join(_rjust(str(v), w) for v, w in
                                                           zip(values, widths, strict=True))
