"""Self-inspection (自己点検) campaigns generated from the pack's inspection items.

One questionnaire per 課, per system and per person (issue 12).
"""
