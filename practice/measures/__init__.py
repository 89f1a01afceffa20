"""Measures: questionnaire files (``spec``), the practitioner's schedules and each partner's
answers (``views``, over ``practice.services.measures``), and the ``measure`` commands."""
