from .charts import negotiation_rounds, save_chart
from .html import Evidence, ReportOptions, render, write_report

__all__ = ["Evidence", "ReportOptions", "negotiation_rounds", "render", "save_chart", "write_report"]
