"""``python -m symmat``: the same as the ``symmat`` command."""
import sys

from .cli import main

sys.exit(main())
