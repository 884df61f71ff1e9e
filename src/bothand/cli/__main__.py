"""``python -m bothand.cli``: the same as the ``bothand`` command."""

import sys

from bothand.cli.commands import main

sys.exit(main())
