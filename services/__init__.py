"""The services (intake, and later assessment, notifications, publication); each talks to the others only by events."""
