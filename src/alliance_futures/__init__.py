"""alliance-futures: many simulated futures of the US–ROK alliance, and policy packages compared on them.

The flow is case → design → engine → analysis → report; `api` has the functions a notebook needs.
"""

import lazy_loader

from .version import VERSION

# Submodules load on first use (SPEC 1): `import alliance_futures` and the command line's --help stay fast.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
__version__ = VERSION
