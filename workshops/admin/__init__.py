"""The admin's pages for workshops, one module per concern; importing them registers them."""

from workshops.admin import contributions, questions, workshops

__all__ = ["contributions", "questions", "workshops"]
