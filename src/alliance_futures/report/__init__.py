"""What people read: declarative Altair (Vega-Lite) charts rendered offline by vl-convert, and the self-contained
HTML report."""

import lazy_loader

# Submodules load on first use (SPEC 1): `import alliance_futures` and the command line's --help stay fast.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
