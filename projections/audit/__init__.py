"""The auditor's answers: rules re-checked, chain and seals verified, reconciliation, trace,
the public statement.
"""
