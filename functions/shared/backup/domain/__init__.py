"""The programme's rules and records, in pure Python: no AWS, no Powertools, no HTML.

Everything else in the layer builds on this package; it imports nothing from the rest of it.
"""
