"""Demo injectors of this module's audit rules (see ``gridcheck.audit.engine.audit_injector``)."""
