"""Code shared by the services: ports and adapters, wiring, the embedded runtime's building blocks.

Importing it tunes a Lambda process's start-up first (`shared.startup`): every handler module imports this package
(services through `services/__init__.py`) before anything heavy.
"""

import os as _os

from shared.startup import tune_lambda_start as _tune_lambda_start

_tune_lambda_start(_os.environ)
