"""One module per capability. Every function here is one user action in one transaction."""
