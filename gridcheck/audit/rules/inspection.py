"""Audit rules of this module (see ``gridcheck.audit.engine``)."""
