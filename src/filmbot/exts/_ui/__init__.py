"""Shared Discord UI pieces: embeds within limits, pagination, title pickers, error replies."""
