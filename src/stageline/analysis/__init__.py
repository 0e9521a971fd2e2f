"""Analysis: find and rank a blueprint's improvement opportunities.

    from stageline.analysis import analyse
    report = analyse(bp)
    for opportunity in report.opportunities[:3]:
        print(opportunity.rank, opportunity.title)

Rules live in a registry (:data:`RULES`); add one with the :func:`rule` decorator.
"""

from stageline.analysis.engine import analyse
from stageline.analysis.figures import Figures, figures
from stageline.analysis.registry import RULES, Context, Effect, Hit, Option, Rule, rule
from stageline.analysis.report import REPORT_VERSION, Finding, Opportunity, Report
from stageline.analysis.settings import SettingsSource

__all__ = [
    "REPORT_VERSION",
    "RULES",
    "Context",
    "Effect",
    "Figures",
    "Finding",
    "Hit",
    "Opportunity",
    "Option",
    "Report",
    "Rule",
    "SettingsSource",
    "analyse",
    "figures",
    "rule",
]
