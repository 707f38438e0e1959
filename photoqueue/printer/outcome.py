"""What became of one ticket: :class:`PrintOutcome`, with a reason code and a message for the screen."""

from __future__ import annotations

from dataclasses import dataclass

# reason code -> (ok, Chinese message for the hall screen and staff, English message for logs)
REASONS: dict[str, tuple[bool, str, str]] = {
    "printed": (True, "已打印", "printed"),
    "printed_paper_low": (True, "已打印；打印纸快用完了，请准备换纸", "printed; paper is running low"),
    "ready": (True, "打印机就绪", "printer ready"),
    "offline": (False, "打印机离线，请检查电源和连接", "printer offline: check power and cable"),
    "paper_out": (False, "打印机缺纸，请换纸后补打", "printer out of paper: load paper, then reprint"),
    "cover_open": (False, "打印机盖未合上，请合上后补打", "printer cover open: close it, then reprint"),
    "printer_error": (False, "打印机故障（切刀或机械错误），请检查后补打",
                      "printer error (cutter or mechanism): check it, then reprint"),
    "unreachable": (False, "连接不上打印机，请检查连线或网络", "cannot reach the printer: check cable or network"),
    "connection_lost": (False, "打印中与打印机断开，请补打", "connection to the printer lost mid-ticket: reprint"),
    "timeout": (False, "打印机无响应，请检查后补打", "printer not responding: check it, then reprint"),
    "no_status": (False, "打印机未回应状态查询，未确认打印", "printer did not answer the status query: not confirmed"),
    "driver_missing": (False, "缺少打印机驱动程序包", "a Python package this printer connection needs is missing"),
    "config_error": (False, "打印机设置有误", "printer settings are wrong"),
    "bad_ticket": (False, "票据内容无效，未打印", "ticket data invalid: not printed"),
    "queue_full": (False, "打印任务过多，未打印", "too many tickets waiting for the printer: not printed"),
    "cancelled": (False, "打印已取消", "print job cancelled (printer stopped)"),
    "internal_error": (False, "打印程序出错，请补打", "internal error in the printer code: reprint"),
}


@dataclass(frozen=True)
class PrintOutcome:
    """The result of :meth:`TicketPrinter.print_ticket` (or of a probe). Never an exception.

    ``ok`` means the printer took the whole ticket and, where it can tell, did not run out of paper or go
    offline doing it. ``detail`` says more for the log (the exception text, the status bytes).
    """

    ok: bool
    reason_code: str
    message_zh: str
    message_en: str
    detail: str = ""
    bytes_sent: int = 0
    elapsed_s: float = 0.0
    paper_near_end: bool = False

    @classmethod
    def of(cls, reason: str, detail: str = "", **extra) -> PrintOutcome:
        ok, zh, en = REASONS.get(reason, REASONS["internal_error"])
        return cls(ok=ok, reason_code=reason if reason in REASONS else "internal_error",
                   message_zh=zh, message_en=en, detail=detail, **extra)
