"""The bus: the message shape shared by EventBridge and the embedded relay, and the subscriber wrapper."""

from shared.bus.messages import BUS_SOURCE, bus_message, parse_bus_message, stream_image, subscriber

__all__ = ["BUS_SOURCE", "bus_message", "parse_bus_message", "stream_image", "subscriber"]
