"""Events of a planning application and its side streams."""
