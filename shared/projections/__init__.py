"""Read models as projections of the log: pure per-event functions, applied once per stream version."""

from shared.projections.projection import Document, Projection
from shared.projections.projector import ProjectionConflict, Projector
from shared.projections.store import ReadModelStore

__all__ = ["Document", "Projection", "ProjectionConflict", "Projector", "ReadModelStore"]
