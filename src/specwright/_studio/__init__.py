"""``specwright studio``: a local web app where people review answers and drafts.

``_index`` keeps a run's samples in the results store for paging with SQL; ``_runs`` reads
logs into it (once each); ``_drafts`` reviews scenario files as ``scenarios review`` does;
``_csrf`` guards every POST; ``_pages`` renders; ``_app`` is the Starlette application.
"""
