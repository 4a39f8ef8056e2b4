"""Brains phrase the interviewer's turns: `offline` (templates, the default) or `llm`."""
