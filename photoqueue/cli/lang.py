"""Chinese first for the command line's own words: argparse's fixed messages ("the following arguments are
required", "usage:", "invalid choice", "show this help message and exit", ...), the command list of
``photoqueue --help`` and every option's help text (:mod:`photoqueue.cli.help_zh`), in Chinese; in English
with ``--lang en`` or an English locale (``LANG=en_US.UTF-8``).

argparse words its messages with ``gettext`` at the moment it raises them; rather than patching the
``argparse`` module (a global), :class:`photoqueue.cli.Parser` translates what reaches its ``error()`` and
words its help through :class:`ChineseHelpFormatter`, using the tables here.
"""

from __future__ import annotations

import argparse
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence

from photoqueue.cli.help_zh import help_zh

ZH, EN = "zh", "en"


def language(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``en`` when the command line says ``--lang en`` (or ``--lang=en``) or the locale is English
    (``LC_ALL``, ``LC_MESSAGES``, then ``LANG``, as gettext reads them); else ``zh``."""
    args = list(argv or [])
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return EN if args[i + 1] == EN else ZH
        if a.startswith("--lang="):
            return EN if a.split("=", 1)[1] == EN else ZH
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return EN if value.lower().startswith("en") else ZH
    return ZH


# argparse's fixed strings (Python 3.11's argparse.py, each as it formats them) -> Chinese
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), zh) for p, zh in (
    (r"^the following arguments are required: (.*)$", r"缺少必需的参数：\1"),
    (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1"),
    (r"^one of the arguments (.*) is required$", r"必须给出以下参数之一：\1"),
    (r"^argument (.+?): not allowed with argument (.*)$", r"参数 \1 不能与参数 \2 同时使用"),
    (r"^argument (.+?): expected one argument$", r"参数 \1 需要一个值"),
    (r"^argument (.+?): expected at least one argument$", r"参数 \1 至少需要一个值"),
    (r"^argument (.+?): expected at most one argument$", r"参数 \1 最多一个值"),
    (r"^argument (.+?): expected (\d+) arguments?$", r"参数 \1 需要 \2 个值"),
    (r"^argument (.+?): ignored explicit argument (.*)$", r"参数 \1 不接受值 \2"),
    (r"^argument (.+?): invalid (\w+) value: (.*)$", r"参数 \1 的值 \3 无效（应为 \2）"),
    (r"^argument (.+?): invalid choice: (.*)$", r"参数 \1 没有这个选项：\2"),
    (r"^ambiguous option: (.+?) could match (.*)$", r"选项 \1 有歧义，可能是 \2"),
    (r"^argument (.+?): (.*)$", r"参数 \1：\2"),
))
TYPE_ZH = {"int": "整数", "float": "数字"}


def translate(message: str) -> str:
    """argparse's English message in Chinese (the first pattern that matches), or the message unchanged."""
    for pattern, zh in PATTERNS:
        if pattern.match(message):
            out = pattern.sub(zh, message)
            for en, name in TYPE_ZH.items():
                out = out.replace(f"（应为 {en}）", f"（应为{name}）")
            return out
    return message


HELP_ZH = "显示帮助信息并退出"
VERSION_ZH = "显示版本号并退出"
POSITIONALS_ZH = "位置参数"
OPTIONALS_ZH = "选项"
USAGE_ZH = "用法："
ERROR_ZH = "错误"

# the command list of `photoqueue --help`, Chinese first (the English stays in each module's add_parser)
COMMANDS_ZH = {
    "scan": "手工录入采集码：与摄像头扫码取号完全相同",
    "export": "导出工作站（或演示）的号码与各班统计",
    "queue": "工作人员操作队列：状态、下一位、撤销、过号、召回、作废、确认日期等",
    "station": "运行一个拍摄组的工作站（摄像头、按钮、打印机、大屏）",
    "diagnose": "逐项检查本拍摄组的设备，打印检查清单",
    "backup": "为（运行中的）工作站数据库做一致的备份",
    "recover": "用备份和中心的副本恢复损坏的工作站",
    "replace-station": "更换设备：新机器接替本拍摄组当天的号码",
    "demo": "模拟一整天的采集：每组一个工作站、学生、摄影师、小票和大屏",
    "timetable": "检查时间表、推算当天进度",
    "decode": "识别图片中的二维码",
    "ticket": "小票工具：预览小票图片与 ESC/POS 数据",
    "printer": "打印机工具：虚拟网络小票打印机",
    "display": "大屏工具：预览画面、试听叫号",
    "central": "中心服务：启动、登记工作站与工作人员",
    "reconcile": "核对相机照片与拍摄号是否一一对应",
    "timetable check": "逐行列出时间表（CSV 或 XLSX）中的每个错误；有错误时退出状态为 1",
    "timetable plan": "推算各班实际开始、结束的时间，以及哪些组会延误",
    "ticket preview": "把小票画成 PNG（并可写出打印机收到的 ESC/POS 数据）",
    "printer serve": "运行虚拟网络小票打印机，每张小票存为 PNG",
    "display preview": "把大屏画面画成 PNG（也可显示出来）",
    "display call": "试听叫号：提示音，加 --speak 播报号码",
    "central serve": "运行中心服务（API 与看板）",
    "central add-station": "为拍摄组登记工作站，打印其令牌（只显示一次）",
    "central revoke-station": "吊销工作站令牌（按 ID，或某组的全部）",
    "central replace-station": "更换拍摄组的设备：停用旧工作站，打印新设备的令牌（只显示一次）",
    "central show-key": "打印部署密钥（手工交给工作站时用）",
    "central list-stations": "已登记的工作站（令牌只存散列，不显示）",
    "central add-user": "创建工作人员账号（或修改密码）",
    "central purge": "从中心删除某一天（如演练）的数据：统计、导出和 /status",
    "central revoke-sessions": "立即结束工作人员的登录：全部，或某个账号的",
    "central load-timetable": "在中心保存时间表；各工作站取用本组的部分",
}


# a Chinese character is two columns wide on a terminal; a line breaks between any two of them (or at an
# English word's space), never before a closing mark nor after an opening one
_UNITS = re.compile(r"[^\s\u2e80-\uffef]+\s*|\s+|[\u2e80-\uffef]\s*")
_NO_BREAK_BEFORE = set("，。、；：！？）」』”’》")
_NO_BREAK_AFTER = set("（「『“‘《")


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (East Asian wide and fullwidth characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_wide(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (argparse's textwrap counts a Chinese character
    as one column, so its lines of Chinese ran to twice the terminal's width)."""
    lines: list[list[str]] = [[]]
    for unit in _UNITS.findall(text):
        line = lines[-1]
        if line and columns("".join(line) + unit.rstrip()) > max(width, 1):
            carry = []
            while len(line) > 1 and (unit[0] in _NO_BREAK_BEFORE or line[-1].rstrip() in _NO_BREAK_AFTER):
                carry.insert(0, line.pop())
                if carry[0][0] not in _NO_BREAK_BEFORE:
                    break
            if not line[-1].strip():
                line.pop()
            lines.append(carry)
        if lines[-1] or unit.strip():
            lines[-1].append(unit)
    return ["".join(line).rstrip() for line in lines if line] or [""]


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help with the usage line's prefix in Chinese, and each option's help text and each command's
    description in Chinese (:data:`photoqueue.cli.help_zh.HELP_ZH`, keyed by the English the module wrote)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, USAGE_ZH if prefix is None else prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        # argparse measures the prefix in characters: lay the usage out behind spaces as wide as "用法：" is
        if prefix is None or columns(prefix) == len(prefix):
            return super()._format_usage(usage, actions, groups, prefix)
        blank = " " * columns(prefix)
        return prefix + super()._format_usage(usage, actions, groups, blank)[len(blank):]

    def _split_lines(self, text, width):
        return wrap_wide(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap_wide(self._whitespace_matcher.sub(" ", text).strip(),
                                                             width - len(indent)))

    def add_text(self, text):
        super().add_text(help_zh(text) if isinstance(text, str) else text)

    def _get_help_string(self, action):
        return help_zh(action.help) if isinstance(action.help, str) else action.help


def localise(parser: argparse.ArgumentParser) -> None:
    """Section titles and the help option's line in Chinese (called on every parser, subcommands too)."""
    parser._positionals.title = POSITIONALS_ZH
    parser._optionals.title = OPTIONALS_ZH
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = HELP_ZH
        elif isinstance(action, argparse._VersionAction):
            action.help = VERSION_ZH


def localise_commands(subparsers: argparse._SubParsersAction, prefix: str = "") -> None:
    """The command lists' one-line summaries in Chinese, at every level (``timetable plan`` too)."""
    for choice in subparsers._choices_actions:
        zh = COMMANDS_ZH.get(prefix + choice.dest)
        if zh:
            choice.help = zh
    for name, parser in subparsers.choices.items():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                localise_commands(action, f"{prefix}{name} ")
