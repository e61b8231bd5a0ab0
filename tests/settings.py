"""The test suite's settings: the project's own, on a machine marked local (a local-only key)."""

import os

os.environ.setdefault("GATEHOUSE_LOCAL", "true")

from console.settings import *  # noqa: E402, F403
