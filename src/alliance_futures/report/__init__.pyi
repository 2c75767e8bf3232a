from .charts import negotiation_rounds, save_chart
from .html import ReportOptions, render, write_report

__all__ = ["ReportOptions", "negotiation_rounds", "render", "save_chart", "write_report"]
