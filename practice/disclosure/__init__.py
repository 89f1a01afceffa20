"""Structured disclosure: the practitioner's side (``bp``) and the partners' side
(``client_bp``), each behind its own audience check."""

from practice.disclosure.views import bp, client_bp

__all__ = ["bp", "client_bp"]
