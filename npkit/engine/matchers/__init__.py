"""Small matcher types; see base.py for the protocol."""
