"""Celery tasks for renewals: thin wrappers that run a job for today (recorded as a JobRun,
N10) or take ids and call a service. Tasks import services, never the reverse. One section
per feature."""

from celery import shared_task  # noqa: F401 (used by the sections below)

# --- notices and quote expiry (N1, N3, N4) -------------------------------------------------

# --- levels and commitments (N8, N9) -------------------------------------------------------

# --- quote PDFs (E3) -------------------------------------------------------------------------

# isort: split
from renewals.documents import quote_pdf_render_task  # noqa: F401 (re-exported, as licensing's)
