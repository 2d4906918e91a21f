"""Détente: events, deals and relationship status between countries, over HTTP."""
