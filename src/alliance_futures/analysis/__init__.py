"""Analysis of ensembles: outcomes, named futures, probabilities, robust comparison, the case's claims tested,
scenario discovery, EMA Workbench interoperability, outcomes over time, signposts, the alternative futures matrix and
narratives."""

import lazy_loader

# Submodules load on first use (SPEC 1): `import alliance_futures` and the command line's --help stay fast.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
