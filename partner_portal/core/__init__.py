"""Shared mechanisms used by every feature: model helpers, errors, security, request logging."""
