"""Storage: where a ledger lives, the recorders of both back ends (SQLite, PostgreSQL), stored
rows and their decoding. The only modules that name a back end.
"""
