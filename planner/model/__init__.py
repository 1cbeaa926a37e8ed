"""Pydantic models of the requirements (input) and of the design (output)."""
