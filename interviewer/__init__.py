"""Interview practice bot: rehearse an ML Engineer interview and get measured feedback."""

__version__ = "0.1.0"
