"""The bank's files behind Cistern's own interfaces (BAI2 prior-day reporting today).

Adapters here wrap third-party parsers and hand back Cistern's own frozen dataclasses, so
the rest of the code never imports a bank library and a library can be swapped in one place.
"""
