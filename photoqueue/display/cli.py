"""``photoqueue display ...``: preview the hall screen, and test the call sounds.

photoqueue display preview [--out PNG] [--size WxH] [--state FILE] [--theme T] [--font F] [--show S]
photoqueue display call NUMBER [--speak] [--volume V] [--voice V]
"""

from __future__ import annotations

import json
import time


def add_commands(sub) -> None:
    from photoqueue.display.compose import THEMES

    p = sub.add_parser("display", help="the hall display: preview a screen, test the call sounds")
    dsub = p.add_subparsers(dest="display_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda _args: p.print_help() or 2)

    pv = dsub.add_parser(
        "preview",
        help="draw the hall screen for a state into a PNG (and optionally show it)",
        description="Draw the hall screen for a state (DESIGN.md's display state JSON) into a PNG.",
    )
    pv.add_argument("--out", default="display-preview.png", metavar="PNG", help="where to write the PNG")
    pv.add_argument("--size", default="1920x1080", metavar="WxH", help="screen size (default 1920x1080)")
    pv.add_argument("--state", metavar="FILE", help="display state JSON; default: a sample busy room")
    pv.add_argument("--theme", choices=sorted(THEMES), help="colour theme (default dark)")
    pv.add_argument(
        "--font", metavar="FILE", help="a font with Chinese glyphs (default: found on the system)"
    )
    pv.add_argument(
        "--show",
        type=float,
        metavar="SECONDS",
        help="also show it on the screen (full screen on a Pi console, else a window) for SECONDS; 0 = until closed",
    )
    pv.set_defaults(func=_preview)

    call = dsub.add_parser(
        "call", help="play the call of a number: the chime, and the spoken call with --speak"
    )
    call.add_argument("number", type=int)
    call.add_argument("--speak", action="store_true", help="also speak it (espeak-ng)")
    call.add_argument("--volume", type=float, help="0.0 to 1.0 (default 0.8)")
    call.add_argument("--voice", help="espeak-ng voice (default cmn-latn-pinyin)")
    call.set_defaults(func=_call)


def _settings(**overrides):
    from photoqueue.display.errors import DisplayError
    from photoqueue.display.settings import DisplaySettings
    from photoqueue.settings import load

    return load(DisplaySettings, {k: v for k, v in overrides.items() if v is not None}, DisplayError,
                "display settings")


def _preview(args) -> int:
    from photoqueue.display.model import DisplayState
    from photoqueue.display.render import Renderer, render_png
    from photoqueue.display.samples import sample_state
    from photoqueue.display.settings import parse_size

    size = parse_size(args.size)
    settings = _settings(theme=args.theme, font_path=args.font)
    state = DisplayState.load(args.state) if args.state else sample_state()
    path = render_png(state, size, args.out, settings)
    layout = Renderer.layout_for(size)
    print(json.dumps({"out": str(path), "size": list(size), "layout": layout}, ensure_ascii=False))
    if args.show is not None:
        from photoqueue.display.hall import HallDisplay

        settings.size = size
        with HallDisplay(settings) as display:
            display.show(state)
            deadline = time.monotonic() + args.show if args.show > 0 else float("inf")
            try:
                while display.is_running and time.monotonic() < deadline:
                    time.sleep(0.2)
            except KeyboardInterrupt:
                pass
    return 0


def _call(args) -> int:
    from photoqueue.display.sound import Sounds

    settings = _settings(speech=args.speak, volume=args.volume, voice=args.voice)
    with Sounds(settings) as sounds:
        result = sounds.call(args.number).result(timeout=60)
        sounds.wait_idle()
    out = {
        "number": result.number,
        "played": result.played,
        "speech_wav": str(result.speech_wav or "") or None,
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0
