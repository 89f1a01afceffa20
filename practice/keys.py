"""Kept only for migration 04066d06e46f, which imports ``keyring`` from here.

Landed migrations are never edited, so this name stays. New code imports from
``practice.encryption``; nothing else in Practice imports this module (a test checks).
"""

from practice.encryption.keys import keyring

__all__ = ["keyring"]
