"""Emails: templates (editable, per event and language), rendering, the transactional outbox."""
