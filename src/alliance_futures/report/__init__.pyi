from .charts import negotiation_rounds, save_chart
from .html import render, write_report

__all__ = ["negotiation_rounds", "render", "save_chart", "write_report"]
