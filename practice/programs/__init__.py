"""Programs as data: the founding program's file and the loader that validates it."""
