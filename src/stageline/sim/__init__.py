"""Discrete-event simulation of a blueprint: what-if capacity, waits, queues, abandonment and
cost before the real service changes.

``simulate(bp)`` runs the blueprint as it is and under each of its scenarios;
:func:`stageline.sim.metrics.to_metrics` gives a scenario's figures in the shape of measured
ones.
"""

from stageline.sim.network import Network, compile_network
from stageline.sim.run import Estimate, Options, ScenarioResult, SimulationResult, simulate

__all__ = ["Estimate", "Network", "Options", "ScenarioResult", "SimulationResult", "compile_network", "simulate"]
