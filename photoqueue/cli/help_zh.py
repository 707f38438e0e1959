"""The Chinese of every option's help text and every command's description (issue 23, item 10), keyed by the
English each module writes at its ``add_argument`` / ``add_parser``.

:class:`photoqueue.cli.lang.ChineseHelpFormatter` looks each help text up here when it formats a ``--help``
(Chinese mode, the default); with ``--lang en`` or an English locale argparse's own formatter shows the
English as written. A help text missing here shows in English, and ``tests/test_cli_help_zh.py`` fails, so a
new option gets its Chinese in this table. Words as in docs/glossary.md (拍摄组, 拍摄号, 过号, 作废, 应拍,
已拍, 工作站, 中心, 数据目录, 时间表). No ``%`` here: argparse expands ``%(default)s`` in help texts.
"""

from __future__ import annotations

HELP_ZH: dict[str, str] = {
    # the common options of the station's commands (scan, queue, export, backup, ...)
    "the station's data directory": "工作站的数据目录",
    "session date YYYY-MM-DD (default: today)": "拍摄日期 YYYY-MM-DD（默认今天）",
    "deployment key, found as the service finds it: the installed unit's systemd credential first, then this "
    "file, then DATA_DIR/deployment.key (made only when a new station numbers its first ticket)":
        "部署密钥，查找顺序与服务相同：先取已安装服务的 systemd 凭据，再取此文件，最后取"
        " DATA_DIR/deployment.key（新工作站发出第一个号时才生成）",
    "timetable file; without it tickets carry no class": "时间表文件；不给则小票上没有班级",
    "the station's config: its [central] (the centre's hello before the first number) and [station] "
    "witness_dir": "工作站配置文件：用其中的 [central]（发第一个号前先与中心握手）和 [station] witness_dir",
    # export
    "default: from --out's extension, else json (html: the slip)":
        "默认按 --out 的扩展名，否则 json（html：结算单）",
    "with --format csv: the photo agency's list in shooting order (default), the per-class counts and fees, or "
    "the make-up list (xlsx holds all three); slip: the printable per-class settlement slip (HTML)":
        "配合 --format csv：按拍摄号顺序的摄影机构名单（默认）、各班统计与费用，或补拍名单（xlsx 三者都有）；"
        "slip：可打印的各班结算单（HTML）",
    "fee per student in yuan (default 20)": "每人收费（元，默认 20）",
    "what the fee multiplies: photographed (default), issued (took a number), or expected (every graduate, "
    "photographed or not); printed on the sheet":
        "收费按什么人数计：photographed 已拍（默认）、issued 已取号，或 expected 应拍（无论是否拍摄）；印在表上",
    "zh (default): Chinese headings and values; en: English (the agency CSV as scripts have read it since the "
    "first release)": "zh（默认）：中文表头和内容；en：英文（摄影机构 CSV 最初版本的格式，供脚本读取）",
    "timetable file, for the colleges on the sheets": "时间表文件，用于在表上填学院",
    "write to this file instead of standard output": "写入此文件，而不是标准输出",
    # queue
    "NUMBER for skip/recall/void/reprint; CLASS for switch-class; NUMBER CLASS for correct-class; YYYY-MM-DD "
    "for confirm-date": "skip/recall/void/reprint 给号码；switch-class 给班级；correct-class 给号码和班级；"
    "confirm-date 给日期 YYYY-MM-DD",
    "why a ticket is voided, or the student being photographed skipped": "作废某号、或让正在拍摄的学生过号的原因",
    "confirm skipping or voiding the student being photographed without asking":
        "让正在拍摄的学生过号或作废时不再询问确认",
    "machine-readable JSON instead of the Chinese summary": "输出供程序读取的 JSON，而不是中文摘要",
    # station, diagnose
    "the station's TOML config (see docs/config.md); required unless --print-example":
        "工作站的 TOML 配置文件（见 docs/config.md）；除 --print-example 外必需",
    "only check the config and exit (0: good, 2: bad)": "只检查配置后退出（0：正确，2：有错）",
    "no hall screen, whatever the config says": "不开大屏（无论配置如何）",
    "print an example config with every key and its default, and exit": "打印含全部配置项及默认值的示例配置后退出",
    "the station's TOML config": "工作站的 TOML 配置文件",
    "comma-separated parts: camera, printer, display, buttons, clock, key, central, disk, timetable, numbering "
    "(default: all)": "要检查的部件，逗号分隔：camera 摄像头、printer 打印机、display 大屏、buttons 按钮、clock 时钟、"
    "key 密钥、central 中心、disk 磁盘、timetable 时间表、numbering 编号（默认全部）",
    "print a test ticket when the printer is ready": "打印机就绪时打印一张测试小票",
    "seconds to press each button (default 10)": "每个按钮等待按下的秒数（默认 10）",
    "the checks as JSON": "以 JSON 输出检查结果",
    # backup, recover
    "the copy to write (a new SQLite file)": "备份写到哪里（一个新的 SQLite 文件）",
    "a backup made by `photoqueue backup` (default: the data dir's own file, when it still opens)":
        "用 photoqueue backup 做的备份（默认：数据目录里原来的数据库，只要还能打开）",
    "the centre's base URL (as [central] url)": "中心的地址（同 [central] url）",
    "the station's token file (as [central] token_file)": "工作站的令牌文件（同 [central] token_file）",
    "with no centre and no witness: the last number printed on paper; the station numbers above it":
        "既无中心也无见证记录时：纸上最后打印的号码；工作站从它之后继续编号",
    "with --last-number on an empty data dir: the room": "配合 --last-number、数据目录为空时：拍摄组",
    "with --last-number on an empty data dir: the session date": "配合 --last-number、数据目录为空时：拍摄日期",
    "as [station] witness_dir (default: $STATE_DIRECTORY, else ~/.local/state/photoqueue)":
        "同 [station] witness_dir（默认 $STATE_DIRECTORY，否则 ~/.local/state/photoqueue）",
    # demo
    "no windows: save screen snapshots instead": "不开窗口，改为保存画面截图",
    "timetable file (default: the shipped 2024 timetable)": "时间表文件（默认：随附的 2024 年时间表）",
    "which day of the timetable (default: its first date)": "时间表中的哪一天（默认第一天）",
    "comma-separated rooms (default: every room that day)": "拍摄组，逗号分隔（默认当天全部拍摄组）",
    "at most this many students per room (classes scaled down)": "每个拍摄组最多这么多学生（各班按比例缩小）",
    "how many times faster than real time the day runs; 0: as fast as it can (default: 100, so a 3-hour "
    "afternoon takes about 2 minutes)": "比真实时间快多少倍；0：尽可能快（默认 100，3 小时的下午约 2 分钟跑完）",
    "where the stations keep their data (default: ./demo-data)": "各工作站的数据目录放在哪里（默认 ./demo-data）",
    "the day's random seed (who is late, absent, ...)": "当天的随机种子（谁迟到、谁缺席……）",
    "no progress bar": "不显示进度条",
    "the first room's Pi dies once this fraction of its students has come, and a spare Pi takes the room over "
    "from the centre's history (default: 0.4; 0: no swap)":
        "第一个拍摄组来了这个比例的学生后模拟其 Pi 故障，备用机从中心取回记录接替（默认 0.4；0：不更换）",
    "end when the day is done (for scripts); without it the central service stays up, with its dashboard, "
    "until Ctrl-C": "一天模拟完就退出（供脚本用）；不加则中心服务和看板一直运行，直到 Ctrl-C",
    # timetable check / plan
    'print {"findings": [...]} instead of a table': '输出 {"findings": [...]}，而不是表格',
    "the timetable: .csv (UTF-8 or GBK) or .xlsx": "时间表：.csv（UTF-8 或 GBK）或 .xlsx",
    "the year of dates written without one (10月25日)": "没写年份的日期（如 10月25日）按哪一年",
    "the date (YYYY-MM-DD) of a file that gives none; also the month of 13日":
        "文件没写日期时用的日期（YYYY-MM-DD）；也是“13日”这类日期的月份",
    "the room of a file without a room column (default: a title, else the file name)":
        "文件没有拍摄组一列时的拍摄组（默认取标题，否则取文件名）",
    "seconds a student (default: the pace measured in --data-dir, else 11)":
        "每个学生的秒数（默认：--data-dir 中实测的速度，否则 11）",
    "a station's or a demo's data dir: use its measured pace and what it has already shot":
        "工作站或演示的数据目录：用其实测速度和已拍情况",
    "plan from this time (HH:MM or ISO; default: with --data-dir, the room's last recorded event)":
        "从这个时刻开始推算（HH:MM 或 ISO 格式；给了 --data-dir 时默认为该拍摄组最后一条记录的时刻）",
    "a class may start this long before its slot when the room is free (default 0)":
        "拍摄组空闲时，班级最多可比时段提前多少分钟开始（默认 0）",
    "print the plan as JSON": "以 JSON 输出推算结果",
    "zh (default) or en": "zh（默认）或 en",
    "also write the timetable corrected to this pace (each class's planned start and end)":
        "另写出按此速度修正的时间表（各班推算的开始和结束时间）",
    # decode
    'one JSON object a line: {"path": ..., "codes": [text, ...], "ms": float, ...}':
        '每行一个 JSON 对象：{"path": ..., "codes": [text, ...], "ms": float, ...}',
    "the full pipeline (default) or one raw decoder": "完整识别流程（默认）或单个原始解码器",
    "time the retries may spend on one image (default 500: a still is not a live frame)":
        "每张图片重试可用的时间（毫秒，默认 500：静态图片不是实时画面）",
    "ignore the FRAME.hires.* companions (the lores frame alone)": "忽略配套的 FRAME.hires.* 文件（只用低分辨率画面）",
    "Read the QR codes in image files with the station's decoding pipeline. FRAME.hires.png beside FRAME.png "
    "is its high-resolution companion.":
        "用工作站的识别流程读取图片文件中的二维码。FRAME.png 旁的 FRAME.hires.png 是它的高分辨率配套文件。",
    # ticket preview, printer serve
    "PNG to write (default: ticket.png)": "写出的 PNG 文件（默认 ticket.png）",
    "also write the exact bytes a printer would get": "另写出打印机实际收到的字节",
    "shooting number (default 1)": "拍摄号（默认 1）",
    "room name (default 第一组)": "拍摄组名称（默认 第一组）",
    "room location, printed under the room": "拍摄组地点，印在拍摄组下方",
    "class name": "班级名称",
    "paper width in mm (default 80)": "纸宽（毫米，默认 80）",
    "mark the ticket 补打 / REPRINT": "在小票上标出 补打 / REPRINT",
    "people ahead in the queue": "前面排队的人数",
    "expected wait in minutes": "预计等候分钟数",
    "the public /status address ([printer] status_url): a QR code and the short address":
        "公开的 /status 地址（[printer] status_url）：印成二维码和短地址",
    "ESC/POS mode for --escpos": "--escpos 的 ESC/POS 模式",
    "python-escpos printer profile for --escpos": "--escpos 用的 python-escpos 打印机型号配置",
    "TCP port 0-65535 (default 9100; 0: any free port)": "TCP 端口 0-65535（默认 9100；0：任一空闲端口）",
    "address to listen on (default 127.0.0.1)": "监听地址（默认 127.0.0.1）",
    "folder for ticket PNGs (default ./virtual-printer)": "小票 PNG 存放的文件夹（默认 ./virtual-printer）",
    "start in Chinese (GB18030) mode, as many Chinese-market printers do": "以中文（GB18030）模式启动，同许多国内打印机",
    "simulated paper sensor (default ok)": "模拟的纸张传感器状态（默认 ok）",
    "simulate a printer that is offline": "模拟打印机离线",
    "stop after this many seconds (default: run until Ctrl-C)": "运行这么多秒后停止（默认一直运行到 Ctrl-C）",
    # display preview / call
    "where to write the PNG": "PNG 写到哪里",
    "screen size (default 1920x1080)": "屏幕尺寸（默认 1920x1080）",
    "display state JSON; default: a sample busy room": "大屏状态 JSON；默认：一个繁忙拍摄组的示例",
    "colour theme (default dark)": "配色主题（默认 dark）",
    "a font with Chinese glyphs (default: found on the system)": "含中文字形的字体（默认在系统中查找）",
    "also show it on the screen (full screen on a Pi console, else a window) for SECONDS; 0 = until closed":
        "另在屏幕上显示 SECONDS 秒（Pi 控制台上全屏，否则开窗口）；0 表示直到关闭",
    "Draw the hall screen for a state (DESIGN.md's display state JSON) into a PNG.":
        "把某个状态（DESIGN.md 中的大屏状态 JSON）的大屏画面画成 PNG。",
    "also speak it (espeak-ng)": "同时语音播报（espeak-ng）",
    "0.0 to 1.0 (default 0.8)": "音量 0.0 到 1.0（默认 0.8）",
    "espeak-ng voice (default cmn-latn-pinyin)": "espeak-ng 语音（默认 cmn-latn-pinyin）",
    # central
    "store URL (default sqlite:///central.db)": "数据库地址（默认 sqlite:///central.db）",
    "listen address (default 127.0.0.1)": "监听地址（默认 127.0.0.1）",
    "TCP port (default 8600)": "TCP 端口（默认 8600）",
    "a TOML file of settings (see docs/central.md); also PHOTOQUEUE_CENTRAL_CONFIG":
        "TOML 设置文件（见 docs/central.md）；也可用 PHOTOQUEUE_CENTRAL_CONFIG",
    "any other setting (see docs/central.md), e.g. rate_limit_per_s=50; also PHOTOQUEUE_CENTRAL_<KEY> variables":
        "其他任一设置（见 docs/central.md），如 rate_limit_per_s=50；也可用 PHOTOQUEUE_CENTRAL_<KEY> 环境变量",
    "a note to tell stations apart, e.g. the Pi's name": "区分工作站的备注，如 Pi 的名字",
    "register a room the timetable held at the centre does not have": "登记中心时间表里没有的拍摄组",
    "the registration id (see list-stations)": "登记 ID（见 list-stations）",
    "the room's day it takes over (default: the latest it numbered)": "接替该拍摄组哪一天（默认最近编号的那天）",
    "a note, e.g. the new Pi's name": "备注，如新 Pi 的名字",
    "read the password from this file's first line (else a prompt)": "从此文件第一行读取密码（否则提示输入）",
    "the day to remove, YYYY-MM-DD": "要删除的日期 YYYY-MM-DD",
    "really remove it (without: say what would go)": "确实删除（不加则只列出将删除什么）",
    "the staff account whose logins end": "要结束登录的工作人员账号",
    "every staff login": "全部工作人员的登录",
    # reconcile
    "the station's data directory (or a demo's)": "工作站（或演示）的数据目录",
    "session date YYYY-MM-DD (default: the room's latest session)": "拍摄日期 YYYY-MM-DD（默认该拍摄组最近的一天）",
    "the camera's folder (JPEG, raw; subfolders too)": "相机照片文件夹（JPEG、RAW；含子文件夹）",
    "one JSON object: offset, photos, findings": "输出一个 JSON 对象：offset、photos、findings",
    "write the photo agency's workbook (.xlsx) here": "把摄影机构的工作簿（.xlsx）写到这里",
    "the camera clock's offset if known (station minus camera, seconds); default: estimated":
        "已知的相机时钟偏差（工作站减相机，秒）；默认自动估算",
}


def help_zh(text: str) -> str:
    """The Chinese of an English help text or description, or the text unchanged when the table lacks it."""
    return HELP_ZH.get(text, text)
