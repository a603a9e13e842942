"""Metering assets (计量装置台账): the models."""
