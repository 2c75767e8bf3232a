"""The installed package's version."""

from importlib.metadata import version

VERSION = version("alliance-futures")
