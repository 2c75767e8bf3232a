"""Charts and reports: declarative Altair (Vega-Lite) charts rendered offline by vl-convert."""

from .charts import negotiation_rounds, save_chart

__all__ = ["negotiation_rounds", "save_chart"]
