"""Metering assets (计量装置台账)."""
