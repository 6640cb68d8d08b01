"""The read side: answers computed from the ordered event stream. Never appends events."""
