"""Code shared by the services: ports and adapters, wiring, the embedded runtime's building blocks.

Importing it tunes a Lambda process's start-up first (`shared.startup`): every handler module imports this package
(services through `services/__init__.py`) before anything heavy.
"""

import os as _os

from shared.startup import tune_garbage_collection as _tune_garbage_collection

_tune_garbage_collection(_os.environ)
