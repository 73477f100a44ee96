"""xlcrm: a managed CRM on top of a sales team's own Excel tracking sheet."""

__version__ = "0.1.0"
