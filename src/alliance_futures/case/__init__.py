"""Case data: the schema of case and policy files, their loader, and the built-in US–ROK case."""

from .history import History, load_history
from .loader import (
    BUILTIN_CASE,
    OVERRIDES,
    Requirements,
    builtin_policy_names,
    load_case,
    load_policy,
    override_parameters,
    validate_file,
)
from .schema import Adoption, BaseRate, Case, Claim, Lever, LeverSetting, Parameter, Policy, Quantity

__all__ = [
    "BUILTIN_CASE",
    "OVERRIDES",
    "Adoption",
    "BaseRate",
    "Case",
    "Claim",
    "History",
    "Lever",
    "LeverSetting",
    "Parameter",
    "Policy",
    "Quantity",
    "Requirements",
    "builtin_policy_names",
    "load_case",
    "load_history",
    "load_policy",
    "override_parameters",
    "validate_file",
]
