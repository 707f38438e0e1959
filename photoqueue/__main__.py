try:  # Ctrl-C while Python is still importing the command: a line and 130, not a traceback
    from photoqueue.cli import main
except KeyboardInterrupt:
    import sys

    print("已中断 / interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
