"""Issue 21: the documents buyers and accountants need. `seller` (the organiser's legal identity
and what must be set before a document is issued), `numbering` (gapless numbers per series),
`issue` (invoices and credit notes, and their reissue when an invoiced order changes)."""
