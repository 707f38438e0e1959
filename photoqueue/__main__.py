from photoqueue.cli import main

raise SystemExit(main())
