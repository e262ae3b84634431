"""The shared core, lowest layer: the e-mail outbox, PDFs, money, dates, audit, batch jobs.

It imports no app (accounts, licensing, renewals, support) and nothing of the project layer.
"""
