"""The ``photoqueue`` command line.

Each part of the system owns its subcommands in a module of its own that offers
``add_commands(subparsers)``; commands that join several parts (``timetable plan --data-dir`` reads a
station's data) live in this package, the outer shell, which may import any part. This module assembles them, configures logging
(the one place that does) and turns a :class:`PhotoqueueError` into a message and an
exit status instead of a traceback. Handlers import their heavy libraries lazily so
``photoqueue --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from photoqueue import __version__
from photoqueue.cli import lang as lang_words
from photoqueue.errors import PhotoqueueError
from photoqueue.hints import did_you_mean

log = logging.getLogger(__name__)


class Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" for a mistyped command or choice, in Chinese and English, and its own
    words (usage, errors, the help option, section titles) in Chinese unless ``lang`` is English
    (:mod:`photoqueue.cli.lang`). Subcommand parsers are made from the root's class, so every level words it
    the same way."""

    lang = lang_words.ZH

    def __init__(self, *args, **kwargs):
        if self.lang == lang_words.ZH:
            kwargs.setdefault("formatter_class", lang_words.ChineseHelpFormatter)
        # every command takes --lang (a command with its own --lang, `timetable plan`, replaces this one)
        kwargs.setdefault("conflict_handler", "resolve")
        super().__init__(*args, **kwargs)
        zh = self.lang == lang_words.ZH
        self.add_argument("--lang", choices=(lang_words.ZH, lang_words.EN), default=argparse.SUPPRESS,
                          help="提示语言：zh（默认）或 en；英文环境（LANG=en_*）默认 en" if zh else
                          "language of messages: zh (default) or en; an English locale (LANG=en_*) means en")
        if zh:
            lang_words.localise(self)

    def error(self, message: str):
        """Usage and the message on stderr, exit status 2: Chinese first, argparse's English after " / "."""
        if self.lang != lang_words.ZH:
            super().error(message)
        self.print_usage(sys.stderr)
        zh = lang_words.translate(message)
        already = any("\u4e00" <= ch <= "\u9fff" for ch in message)  # our own "没有 … 这个选项 / …"
        text = zh if already or zh == message else f"{zh} / {message}"
        self.exit(2, f"{self.prog}: {lang_words.ERROR_ZH}：{text}\n")

    @classmethod
    def speaking(cls, lang: str) -> type[Parser]:
        """This class set to ``lang`` ("zh" or "en")."""
        return type(cls.__name__, (cls,), {"lang": lang})

    def _check_value(self, action: argparse.Action, value: object) -> None:
        if action.choices is not None and value not in action.choices:
            hint = did_you_mean(value, action.choices, list_known=True)
            raise argparse.ArgumentError(action, f"没有 {value!r} 这个选项 / {value!r} is not a choice{hint}")

# Modules that contribute subcommands, in the order their commands appear in --help.
COMMAND_MODULES = (
    "photoqueue.device.cli.commands",
    "photoqueue.device.cli.station",
    "photoqueue.device.store.backup",
    "photoqueue.demo.cli",
    "photoqueue.cli.timetable",
    "photoqueue.scanner.cli",
    "photoqueue.printer.cli",
    "photoqueue.display.cli",
    "photoqueue.central.cli",
    "photoqueue.cli.reconcile",
)


def build_parser(lang: str = lang_words.ZH) -> argparse.ArgumentParser:
    zh = lang == lang_words.ZH
    parser = Parser.speaking(lang)(prog="photoqueue", description="毕业生图像采集排队系统" if zh else
                                   __doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"photoqueue {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="更多日志（-vv 为调试）" if zh else "more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="命令" if zh else None)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    if zh:
        lang_words.localise(parser)
        lang_words.localise_commands(sub)
    return parser


def configure_logging(verbosity: int) -> None:
    level = logging.getLevelName(os.environ.get("PHOTOQUEUE_LOG_LEVEL", "").upper())
    if not isinstance(level, int):
        level = max(logging.WARNING - 10 * verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    """The command's exit status. Ctrl-C at any moment (the ~2 s of imports and parsing before a command
    runs included) ends with 130 and one line, never a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    parser = build_parser(lang_words.language(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except PhotoqueueError as exc:
        print(f"photoqueue: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `photoqueue ... | head`: the reader left; stop quietly (and keep Python's exit flush quiet too)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return int(result or 0)
