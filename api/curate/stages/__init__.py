"""The stages of drafting, run once each in this order by :mod:`api.curate.draft`.

``segment`` (the source record, its metadata lines, the sentences) → ``find``
(date expressions, numbers, attribution cues, new names) → ``resolve_dates``
→ ``attribute`` (who says each number, date and sentence, and when) →
``classify`` (metric, claim, subject, event against the vocabulary) →
``shape`` (the records) → ``write`` (the YAML files).  Each stage takes and
returns plain data; no stage imports another.  Their rule tables live in the
modules beside this package (``dates``, ``values``, ``attribution``,
``entities``, ``metrics``, ``vocab``).
"""
