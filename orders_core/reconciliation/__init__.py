"""Bank reconciliation: read a statement, match incoming transfers to open invoice orders,
confirm the matches through the payment and validation services."""
