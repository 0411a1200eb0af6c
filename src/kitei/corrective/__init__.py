"""Corrective and improvement actions (是正・改善措置).

Raised by incidents, inspections, audits and drills; owned, verified and followed to closure.
"""
