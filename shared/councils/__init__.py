"""What every service reads about a council: its deployment settings, the settings recorded on its stream, and the
effective settings they make together (`settings.py`), with the format rules they are checked by.

The councils service (`services/councils`) owns the council's stream: its commands, officers and API keys. Any
service may read a council's settings through `shared.wiring.Dependencies.council_settings` without importing it.
"""
