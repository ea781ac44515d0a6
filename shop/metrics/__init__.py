"""The live service dashboard: figures from Rasa's conversation events and the shop's ratings.

figures.py   pure functions (response time, first-contact resolution, satisfaction, series)
events.py    a tracker-store row as a value; sender id -> channel
reader.py    reading both stores by SQLAlchemy URL; load_dashboard() gives the JSON
web.py       dashboard_blueprint(): the page, the JSON API and their static files
Definitions: docs/dashboard.md.
"""
