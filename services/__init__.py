"""The services (intake, and later assessment, notifications, publication); each talks to the others only by events.

`shared` is imported first so that a Lambda handler here gets the start-up tuning before its own imports.
"""

import shared as _shared  # noqa: F401
