"""Stakeholder bargaining forecasts: compromise, weighted median, Nash bargaining, Bueno de Mesquita's expected
utility model round by round, and our power compromise, over arrays of many issues at once; readers for stakeholder
tables and the DEU III data set; out-of-sample scoring. Independent of the alliance simulation."""

import lazy_loader

# Submodules load on first use (SPEC 1): `import alliance_futures` and the command line's --help stay fast.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
