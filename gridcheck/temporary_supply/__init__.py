"""Temporary supply (临时用电)."""
