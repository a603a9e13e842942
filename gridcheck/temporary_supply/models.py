"""Temporary supply (临时用电): the models."""
