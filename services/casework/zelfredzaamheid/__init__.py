"""Zelfredzaamheid: ZRM / leefgebieden assessments and the change per domain."""
