"""Learning from real conversations (issue 19): misunderstood messages → review → training data.

masking.py   personal data out of messages before anyone reviews them
collect.py   the misunderstood messages, read from Rasa's tracker store (python -m shop.review.collect)
queue.py     the review queue in SQL: groups of alike messages, two reviewers' labels
export.py    confirmed labels as Rasa NLU YAML (data/nlu/reviewed/<month>.yml)

The workbench's review page (shop/workbench/review.py) and scripts/retrain.py (make retrain,
make rollback) build on these; nothing here imports Rasa.
"""
