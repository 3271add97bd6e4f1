"""The npkit command line."""
