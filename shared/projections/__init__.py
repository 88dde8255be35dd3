"""Read models as projections of the log: pure per-event functions, applied once per stream version.

The package imports nothing: `projection` (the protocol and `Document`), `projector` (applying events once),
`store` (the read models' port) and its adapters are imported by name, so a function that only reads a read model
(the public API) does not load the event contracts.
"""
